/* json_events.c — the gateway's JSON hot path through the C ABI: parse a
 * batch {"events":[...]} of analytics events, sum durations per event type,
 * derive post metadata with ultra_json_project, and build a reply with the
 * writer. Bad input is checked too: a parse error reports its byte offset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ultra.h>

#define CHECK(cond)                                                           \
  do {                                                                        \
    if (!(cond)) {                                                            \
      char msg_[256];                                                         \
      ultra_last_error(msg_, sizeof msg_);                                    \
      fprintf(stderr, "json_events: %s failed (line %d): %s\n", #cond, __LINE__, msg_); \
      return 1;                                                               \
    }                                                                         \
  } while (0)

static const char POST[] =
    "{\"id\": 42, \"body\": \"long text ...\", \"title\": \"Hello \\\"world\\\"\","
    " \"author\": {\"id\": 7, \"name\": \"ann\"}, \"created_at\": \"2024-05-01T10:00:00Z\","
    " \"tags\": [ \"rust\", \"json\" ], \"views\": 1234}";
static const char META[] =
    "{\"id\":42,\"title\":\"Hello \\\"world\\\"\",\"author\":{\"id\":7,\"name\":\"ann\"},"
    "\"created_at\":\"2024-05-01T10:00:00Z\",\"tags\":[\"rust\",\"json\"]}";

int main(int argc, char **argv) {
  int n = (argc > 1 && strcmp(argv[1], "--quick") == 0) ? 50 : 5000;

  /* Build a batch of n events. */
  size_t cap = 64 + (size_t)n * 96;
  char *batch = malloc(cap);
  CHECK(batch != NULL);
  size_t len = (size_t)snprintf(batch, cap, "{\"events\":[");
  long long want_dur[4] = {0, 0, 0, 0};
  for (int i = 0; i < n; i++) {
    int type = i % 4;
    long long dur = (i * 37) % 1000;
    want_dur[type] += dur;
    len += (size_t)snprintf(batch + len, cap - len,
                            "%s{\"type\":%d,\"user_id\":%d,\"post_id\":%d,\"duration\":%lld}",
                            i ? "," : "", type, 1000 + i, 42 + i % 10, dur);
  }
  len += (size_t)snprintf(batch + len, cap - len, "]}");

  size_t err_off = 0;
  CHECK(ultra_json_validate((const uint8_t *)batch, len, &err_off) == ULTRA_OK);

  ultra_json_parser_t *parser = NULL;
  CHECK(ultra_json_parser_new(&parser) == ULTRA_OK);
  ultra_json_doc_t *doc = NULL;
  CHECK(ultra_json_parse(parser, (const uint8_t *)batch, len, &doc) == ULTRA_OK);

  ultra_json_value_t events, ev, field;
  CHECK(ultra_json_get(doc, (const uint8_t *)"/events", 7, &events) == ULTRA_OK);
  CHECK(ultra_json_value_type(&events) == ULTRA_JSON_ARRAY);
  size_t count = 0;
  CHECK(ultra_json_value_len(&events, &count) == ULTRA_OK && count == (size_t)n);
  long long got_dur[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < count; i++) {
    int64_t type = 0;
    uint64_t dur = 0;
    CHECK(ultra_json_value_at(&events, i, &ev) == ULTRA_OK);
    /* Walk the members with the object iterator. */
    ultra_json_object_iter_t it;
    CHECK(ultra_json_object_iter(&ev, &it) == ULTRA_OK);
    const uint8_t *key;
    size_t key_len;
    while (ultra_json_object_next(&it, &key, &key_len, &field) == ULTRA_OK) {
      if (key_len == 4 && memcmp(key, "type", 4) == 0) CHECK(ultra_json_value_as_i64(&field, &type) == ULTRA_OK);
      if (key_len == 8 && memcmp(key, "duration", 8) == 0) CHECK(ultra_json_value_as_u64(&field, &dur) == ULTRA_OK);
    }
    CHECK(type >= 0 && type < 4);
    got_dur[type] += (long long)dur;
  }
  for (int t = 0; t < 4; t++) CHECK(got_dur[t] == want_dur[t]);
  ultra_json_value_t last;
  CHECK(ultra_json_value_at(&events, count, &last) == ULTRA_ERR_NOT_FOUND);
  CHECK(ultra_json_value_object_get(&ev, (const uint8_t *)"post_id", 7, &field) == ULTRA_OK);
  double post_id = 0;
  CHECK(ultra_json_value_as_f64(&field, &post_id) == ULTRA_OK && post_id >= 42);
  const uint8_t *s;
  size_t slen;
  CHECK(ultra_json_value_as_str(&field, &s, &slen) == ULTRA_ERR_INVALID_ARGUMENT);
  ultra_json_doc_free(doc);

  /* Post metadata: only id, title, author, created_at, tags. */
  ultra_str_t fields[5] = {{(const uint8_t *)"id", 2}, {(const uint8_t *)"title", 5},
                           {(const uint8_t *)"author", 6}, {(const uint8_t *)"created_at", 10},
                           {(const uint8_t *)"tags", 4}};
  uint8_t meta[256];
  size_t written = 0;
  CHECK(ultra_json_project((const uint8_t *)POST, strlen(POST), fields, 5, meta, 4, &written) ==
        ULTRA_ERR_BUFFER_TOO_SMALL);
  CHECK(written == strlen(META));
  CHECK(ultra_json_project((const uint8_t *)POST, strlen(POST), fields, 5, meta, sizeof meta, &written) == ULTRA_OK);
  CHECK(written == strlen(META) && memcmp(meta, META, written) == 0);

  /* Minify the pretty post. */
  uint8_t mini[256];
  CHECK(ultra_json_minify((const uint8_t *)POST, strlen(POST), mini, sizeof mini, &written) == ULTRA_OK);
  CHECK(written < strlen(POST) && memchr(mini, ' ', 9) == NULL);

  /* A reply built with the writer; every call is checked against the
   * document's shape, and a misplaced one is refused and writes nothing. */
  ultra_json_writer_t *w = NULL;
  CHECK(ultra_json_writer_new(&w) == ULTRA_OK);
  CHECK(ultra_json_writer_begin_object(w) == ULTRA_OK);
  CHECK(ultra_json_writer_key(w, (const uint8_t *)"count", 5) == ULTRA_OK);
  CHECK(ultra_json_writer_i64(w, (int64_t)count) == ULTRA_OK);
  CHECK(ultra_json_writer_i64(w, 1) == ULTRA_ERR_INVALID_ARGUMENT); /* value without key */
  CHECK(ultra_json_writer_end_array(w) == ULTRA_ERR_INVALID_ARGUMENT); /* no array open */
  CHECK(ultra_json_writer_key(w, (const uint8_t *)"meta", 4) == ULTRA_OK);
  CHECK(ultra_json_writer_key(w, (const uint8_t *)"x", 1) == ULTRA_ERR_INVALID_ARGUMENT); /* key after key */
  CHECK(ultra_json_writer_raw(w, meta, strlen(META)) == ULTRA_OK);
  CHECK(ultra_json_writer_key(w, (const uint8_t *)"ids", 3) == ULTRA_OK);
  CHECK(ultra_json_writer_begin_array(w) == ULTRA_OK);
  CHECK(ultra_json_writer_u64(w, UINT64_MAX) == ULTRA_OK);
  CHECK(ultra_json_writer_f64(w, 0.5) == ULTRA_OK);
  CHECK(ultra_json_writer_null(w) == ULTRA_OK);
  CHECK(ultra_json_writer_bool(w, true) == ULTRA_OK);
  CHECK(ultra_json_writer_end_array(w) == ULTRA_OK);
  CHECK(ultra_json_writer_key(w, (const uint8_t *)"note", 4) == ULTRA_OK);
  CHECK(ultra_json_writer_string(w, (const uint8_t *)"a\"b\n", 4, false) == ULTRA_OK);
  CHECK(ultra_json_writer_end_object(w) == ULTRA_OK);
  CHECK(ultra_json_writer_null(w) == ULTRA_ERR_INVALID_ARGUMENT); /* document complete */
  CHECK(ultra_json_writer_op(w, 99) == ULTRA_ERR_INVALID_ARGUMENT);
  const uint8_t *out;
  size_t out_len;
  CHECK(ultra_json_writer_buffer(w, &out, &out_len) == ULTRA_OK);
  CHECK(ultra_json_validate(out, out_len, NULL) == ULTRA_OK);
  const char *tail = "\"ids\":[18446744073709551615,0.5,null,true],\"note\":\"a\\\"b\\n\"}";
  CHECK(out_len > strlen(tail) && memcmp(out + out_len - strlen(tail), tail, strlen(tail)) == 0);
  CHECK(ultra_json_writer_clear(w) == ULTRA_OK);
  CHECK(ultra_json_writer_op(w, ULTRA_JSON_WRITE_BEGIN_ARRAY) == ULTRA_OK);
  CHECK(ultra_json_writer_op(w, ULTRA_JSON_WRITE_END_ARRAY) == ULTRA_OK);
  CHECK(ultra_json_writer_buffer(w, &out, &out_len) == ULTRA_OK);
  CHECK(out_len == 2 && memcmp(out, "[]", 2) == 0);
  ultra_json_writer_free(w);

  /* Bad input: truncated batch → ULTRA_ERR_PARSE with the byte offset. */
  doc = NULL;
  CHECK(ultra_json_parse(parser, (const uint8_t *)batch, len - 2, &doc) == ULTRA_ERR_PARSE);
  CHECK(doc == NULL);
  char msg[256];
  ultra_last_error(msg, sizeof msg);
  CHECK(strstr(msg, "at byte") != NULL);
  CHECK(ultra_json_validate((const uint8_t *)"[1,]", 4, &err_off) == ULTRA_ERR_PARSE && err_off == 3);
  CHECK(ultra_json_parse(NULL, (const uint8_t *)"1", 1, &doc) == ULTRA_ERR_NULL_ARGUMENT);
  CHECK(ultra_json_value_type(NULL) == -1);

  ultra_json_parser_free(parser);
  ultra_json_parser_free(NULL);
  ultra_json_doc_free(NULL);
  ultra_json_writer_free(NULL);
  free(batch);
  printf("parsed %d events, metadata %zu bytes\n", n, strlen(META));
  printf("json_events: OK\n");
  return 0;
}
