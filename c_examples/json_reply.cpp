// The gateway's reply path in C++: parse an auth result, derive the post's
// metadata with `project`, and build the reply with the checked writer.
// A misplaced writer call throws ultra::error and leaves the text as it was.
#include <ultra.hpp>

#include <cstdio>
#include <cstring>
#include <string>

#define CHECK(c)                                                   \
  do {                                                             \
    if (!(c)) {                                                    \
      std::fprintf(stderr, "%s:%d: CHECK(%s)\n", __FILE__, __LINE__, #c); \
      return 1;                                                    \
    }                                                              \
  } while (0)

static const char* POST =
    "{\"id\": 42, \"title\": \"Hello \\\"world\\\"\", \"body\": \"...long text...\","
    " \"author\": \"ann\", \"created_at\": 1700000000, \"tags\": [\"a\", \"b\"]}";

int main(int argc, char** argv) {
  int rounds = (argc > 1 && std::strcmp(argv[1], "--quick") == 0) ? 10 : 1000;
  ultra::json::parser p;
  std::string last;
  for (int r = 0; r < rounds; r++) {
    auto auth = p.parse(ultra::bytes_view(std::string_view("{\"user\":7,\"scopes\":[\"read\"]}")));
    int64_t user = ultra::json::get(auth, "/user").as_i64();
    std::string meta = ultra::json::project(ultra::bytes_view(std::string_view(POST)),
                                            {"id", "title", "author", "created_at", "tags"});
    ultra::json::writer w;
    w.begin_object().key("user").i64(user).key("post").raw(meta).key("ok").boolean(true);
    w.key("ids").begin_array().u64(UINT64_MAX).f64(0.25).null().end_array();
    bool threw = false;
    try {
      w.i64(1);  // a value inside an object without its key
    } catch (const ultra::error& e) {
      threw = e.status() == ULTRA_ERR_INVALID_ARGUMENT;
    }
    CHECK(threw);
    w.end_object();
    last = std::string(w.view());
    ultra::json::validate(ultra::bytes_view(std::string_view(last)));
  }
  const char* want =
      "{\"user\":7,\"post\":{\"id\":42,\"title\":\"Hello \\\"world\\\"\",\"author\":\"ann\","
      "\"created_at\":1700000000,\"tags\":[\"a\",\"b\"]},\"ok\":true,"
      "\"ids\":[18446744073709551615,0.25,null]}";
  CHECK(last == want);
  std::printf("json_reply: OK\n");
  return 0;
}
