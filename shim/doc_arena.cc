// doc_arena.cc — documents' arenas, and the operator new and delete that serve them
// (see doc_arena.h).

#include "doc_arena.h"

#include <sys/mman.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <new>

namespace
{

// Slots, and the address space each one reserves. Documents in flight number the
// pipeline's depth (64 per worker) and the jobs kept for reuse; beyond XS_ARENAS, or
// past XS_ARENA_BYTES of terms (a document of tens of KB of text), documents
// are built in ordinary memory. The reservation is kept small (512 MB) for the tools
// that back all of it: valgrind's memcheck gives a process its size in memory.
const std::size_t XS_ARENAS = 512;
const std::size_t XS_ARENA_BYTES = std::size_t(1) << 20;
// The last page of each slot is left inaccessible: a mistake in the arena's arithmetic
// faults at once instead of writing into the next document's terms.
const std::size_t GUARD = 4096;
const std::size_t XS_ARENA_USABLE = XS_ARENA_BYTES - GUARD;
// Bytes of an arena kept resident between documents: a typical document's terms take
// tens of KB; a long one's pages beyond this are given back when it is cleared.
const std::size_t XS_ARENA_KEEP = std::size_t(256) << 10;
const std::size_t CACHE_LINE = 64;
const std::size_t ALIGN = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

std::atomic<char *> reservation{nullptr}; // XS_ARENAS * XS_ARENA_BYTES, or nullptr
std::mutex slots_mu;                      // guards what follows
bool reserved;                            // the reservation was tried
std::size_t slots_used;                   // slots handed out at least once
std::size_t slots_free[XS_ARENAS];        // slots given back, to be taken first
std::size_t nslots_free;

thread_local xs::DocArena *current = nullptr; // this thread's innermost Scope's arena

char *take_slot()
{
    std::lock_guard<std::mutex> lock(slots_mu);
    if (!reserved) {
        reserved = true;
        void *p = mmap(nullptr, XS_ARENAS * XS_ARENA_BYTES, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p != MAP_FAILED)
            reservation.store(static_cast<char *>(p), std::memory_order_release);
    }
    char *base = reservation.load(std::memory_order_relaxed);
    if (base == nullptr)
        return nullptr;
    if (nslots_free > 0)
        return base + slots_free[--nslots_free] * XS_ARENA_BYTES;
    if (slots_used == XS_ARENAS)
        return nullptr;
    char *slot = base + slots_used * XS_ARENA_BYTES;
    if (mprotect(slot + XS_ARENA_USABLE, GUARD, PROT_NONE) != 0)
        return nullptr; // unguarded: not used, and not counted, so tried again
    slots_used++;
    return slot;
}

void give_slot(char *slot) noexcept
{
    std::lock_guard<std::mutex> lock(slots_mu);
    slots_free[nslots_free++] =
        std::size_t(slot - reservation.load(std::memory_order_relaxed)) / XS_ARENA_BYTES;
}

} // namespace

namespace xs
{

DocArena::DocArena() : base_(take_slot()), used_(0), high_(0)
{
}

DocArena::~DocArena()
{
    if (base_ == nullptr)
        return;
    if (high_ > 0)
        madvise(base_, high_, MADV_DONTNEED);
    give_slot(base_);
}

void DocArena::reset()
{
    used_ = 0;
    if (high_ > XS_ARENA_KEEP) {
        madvise(base_ + XS_ARENA_KEEP, high_ - XS_ARENA_KEEP, MADV_DONTNEED);
        high_ = XS_ARENA_KEEP;
    }
}

void DocArena::prefetch() const
{
    for (std::size_t at = 0; at < used_; at += CACHE_LINE)
        __builtin_prefetch(base_ + at);
}

DocArena::Scope::Scope(DocArena &arena) : saved_(current)
{
    current = &arena;
}

DocArena::Scope::~Scope()
{
    current = saved_;
}

void *DocArena::allocate(std::size_t n) noexcept
{
    DocArena *a = current;
    if (a == nullptr || a->base_ == nullptr)
        return nullptr;
    std::size_t size = (n + ALIGN - 1) & ~(ALIGN - 1);
    if (size < n || size > XS_ARENA_USABLE - a->used_)
        return nullptr;
    void *p = a->base_ + a->used_;
    a->used_ += size;
    if (a->used_ > a->high_)
        a->high_ = a->used_;
    return p;
}

bool DocArena::owns(const void *p) noexcept
{
    const char *base = reservation.load(std::memory_order_acquire);
    const char *c = static_cast<const char *>(p);
    return base != nullptr && c >= base && c < base + XS_ARENAS * XS_ARENA_BYTES;
}

} // namespace xs

// The replaceable allocation functions ([new.delete]): the arena of the current Scope
// first, malloc otherwise, with the standard's new-handler loop. Every program linking
// the shim gets them; outside a Scope they cost a thread-local load and a range check.
// The aligned forms are left to the C++ library: they never see an arena's memory.
void *operator new(std::size_t n)
{
    if (void *p = xs::DocArena::allocate(n))
        return p;
    for (;;) {
        if (void *p = std::malloc(n != 0 ? n : 1))
            return p;
        std::new_handler handler = std::get_new_handler();
        if (handler == nullptr)
            throw std::bad_alloc();
        handler();
    }
}

void *operator new[](std::size_t n)
{
    return ::operator new(n);
}

void *operator new(std::size_t n, const std::nothrow_t &) noexcept
{
    try {
        return ::operator new(n);
    } catch (...) {
        return nullptr;
    }
}

void *operator new[](std::size_t n, const std::nothrow_t &tag) noexcept
{
    return ::operator new(n, tag);
}

void operator delete(void *p) noexcept
{
    if (!xs::DocArena::owns(p))
        std::free(p);
}

void operator delete[](void *p) noexcept
{
    ::operator delete(p);
}

void operator delete(void *p, std::size_t) noexcept
{
    ::operator delete(p);
}

void operator delete[](void *p, std::size_t) noexcept
{
    ::operator delete(p);
}

void operator delete(void *p, const std::nothrow_t &) noexcept
{
    ::operator delete(p);
}

void operator delete[](void *p, const std::nothrow_t &) noexcept
{
    ::operator delete(p);
}
