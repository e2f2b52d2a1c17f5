/* abi_check.c — the smallest client: checks that the library it loaded speaks
 * the ABI it was compiled against, and that status strings and the
 * thread-local last-error buffer behave as documented. */
#include <stdio.h>
#include <string.h>

#include <ultra.h>

#define CHECK(cond)                                                  \
  do {                                                               \
    if (!(cond)) {                                                   \
      fprintf(stderr, "abi_check: %s failed (line %d)\n", #cond, __LINE__); \
      return 1;                                                      \
    }                                                                \
  } while (0)

int main(void) {
  uint32_t abi = ultra_abi_version();
  printf("ultra %s, ABI %u.%u (header %d.%d)\n", ultra_version(), abi >> 16, abi & 0xffff,
         ULTRA_ABI_VERSION_MAJOR, ULTRA_ABI_VERSION_MINOR);
  CHECK(abi >> 16 == ULTRA_ABI_VERSION_MAJOR);
  CHECK((abi & 0xffff) + 1 > ULTRA_ABI_VERSION_MINOR);

  CHECK(strcmp(ultra_status_str(ULTRA_OK), "ok") == 0);
  CHECK(strcmp(ultra_status_str(ULTRA_ERR_BUFFER_TOO_SMALL), "output buffer too small") == 0);
  CHECK(strcmp(ultra_status_str(12345), "unknown status") == 0);
  for (int s = ULTRA_OK; s <= ULTRA_ERR_PANIC; s++) {
    CHECK(ultra_status_str(s) != NULL && strlen(ultra_status_str(s)) > 0);
  }

  /* No failure yet on this thread: empty message, length 0. */
  char buf[8] = "junk";
  CHECK(ultra_last_error(buf, sizeof buf) == 0);
  CHECK(buf[0] == '\0');
  CHECK(ultra_last_error(NULL, 0) == 0);

  printf("abi_check: OK\n");
  return 0;
}
