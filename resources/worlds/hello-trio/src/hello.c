/*
 * One CGI handler, built three ways: natively for the container and the VM (served by busybox
 * httpd as /cgi-bin/index.cgi) and for wasm32-wasi (served by Worldbench's CGI mode). The body
 * depends only on the request, never on where it runs, so the three kinds can be compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env_or(const char *name, const char *fallback) {
  const char *v = getenv(name);
  return v ? v : fallback;
}

int main(void) {
  const char *method = env_or("REQUEST_METHOD", "GET");
  const char *query = env_or("QUERY_STRING", "");
  long length = atol(env_or("CONTENT_LENGTH", "0"));
  long body_bytes = 0;
  for (long i = 0; i < length && getchar() != EOF; i++) body_bytes++;

  printf("Content-Type: text/plain\r\n\r\n");
  printf("Hello from Worldbench!\n");
  printf("method: %s\n", method);
  printf("query: %s\n", query);
  printf("body-bytes: %ld\n", body_bytes);
  return 0;
}
