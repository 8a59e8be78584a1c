/*
 * polyglot's C half: implements example:text/shout (wit/text.wit) as a core Wasm module with
 * the component model's canonical ABI written by hand, no bindings generator:
 *   - the host copies the argument string into our memory through cabi_realloc, and the
 *     string is then ours (we free it; an empty one is not allocated at all);
 *   - a string result is two i32s (pointer, length) in a return area whose address we return;
 *   - after the host has copied the result out it calls cabi_post_…, where we free it.
 * scripts/build-wasm-samples.sh turns the module into a component (jco componentEmbed +
 * componentNew) against the `shouter` world.
 */
#include <stdint.h>
#include <stdlib.h>

static uint8_t empty; /* where zero-byte allocations point; never freed */
static uint32_t return_area[2];

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  (void)align; /* malloc's 16-byte alignment covers every canonical ABI type */
  if (new_size == 0) {
    if (ptr && ptr != &empty) free(ptr);
    return &empty;
  }
  void *p = realloc(ptr == &empty ? NULL : ptr, new_size);
  if (!p) __builtin_trap();
  return p;
}

__attribute__((export_name("example:text/shout#shout")))
uint32_t *shout(uint8_t *s, size_t len) {
  uint8_t *out = len ? malloc(len) : &empty;
  if (!out) __builtin_trap();
  for (size_t i = 0; i < len; i++) out[i] = (s[i] >= 'a' && s[i] <= 'z') ? (uint8_t)(s[i] - 'a' + 'A') : s[i];
  if (len) free(s); /* an empty string may come as any pointer (jco passes 1) without an allocation */
  return_area[0] = (uint32_t)(uintptr_t)out;
  return_area[1] = (uint32_t)len;
  return return_area;
}

__attribute__((export_name("cabi_post_example:text/shout#shout")))
void shout_post_return(uint32_t *area) {
  uint8_t *out = (uint8_t *)(uintptr_t)area[0];
  if (out != &empty) free(out);
}
