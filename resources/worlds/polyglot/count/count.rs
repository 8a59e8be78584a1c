//! polyglot's Rust part: implements example:text/count (wit/text.wit) as a core Wasm module,
//! built by Debian's rustc for wasm32-unknown-unknown with std only (no crates, no bindings
//! generator offline), so the canonical ABI is written by hand, as in shout.c:
//!   - the host copies the argument string in through cabi_realloc, and it is then ours to free
//!     (an empty string is not allocated at all);
//!   - a u32 result is returned directly, so no return area and no post-return are needed.
//! scripts/build-wasm-samples.sh makes it a component (jco componentEmbed + componentNew)
//! against the `counter` world.
use std::alloc::{alloc, dealloc, realloc, Layout};

#[export_name = "cabi_realloc"]
pub unsafe extern "C" fn cabi_realloc(ptr: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8 {
    if new_size == 0 {
        if old_size != 0 {
            dealloc(ptr, Layout::from_size_align_unchecked(old_size, align));
        }
        return align as *mut u8;
    }
    let p = if old_size == 0 {
        alloc(Layout::from_size_align_unchecked(new_size, align))
    } else {
        realloc(ptr, Layout::from_size_align_unchecked(old_size, align), new_size)
    };
    if p.is_null() {
        std::process::abort();
    }
    p
}

/// letters: func(s: string) -> u32 — how many Unicode letters the text holds.
#[export_name = "example:text/count#letters"]
pub unsafe extern "C" fn letters(ptr: *mut u8, len: usize) -> u32 {
    if len == 0 {
        return 0;
    }
    let text = std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len));
    let n = text.chars().filter(|c| c.is_alphabetic()).count() as u32;
    dealloc(ptr, Layout::from_size_align_unchecked(len, 1));
    n
}
