// doc_arena.h — where the shim builds a document's terms (internal to the shim).
//
// Xapian keeps a document's terms in a std::map: a node per term, its positions in a
// vector of their own, each allocated on its own. polidex builds documents on worker
// threads and the index writer reads them on another core, node by node in term order,
// each node a cache miss that must complete before the next address is known. A
// DocArena gives one document's allocations one run of memory instead: whatever
// operator new is asked for on a thread while a DocArena::Scope is alive comes from the
// arena, one block after the other. The writer can then ask the processor for the whole
// run at once (prefetch) before Xapian walks the nodes, and the misses overlap instead of
// following one another.
//
// Memory from an arena is never freed on its own: operator delete recognises it and
// does nothing, and reset() makes the whole arena free once the document has been
// cleared. A document that outgrows its arena goes on in ordinary memory (operator new
// falls back to malloc), as does everything allocated outside a scope, so nothing
// depends on an arena being there: when the address space cannot be reserved, or every
// arena is taken, documents are built as before.
//
// The arenas are carved from one reservation of address space (XS_ARENAS slots of
// XS_ARENA_BYTES, not backed until written); operator delete needs only a range check to
// tell their memory from malloc's. This is the one piece of process-wide state in the
// shim: operator new has no context to be handed.
#ifndef SHIM_DOC_ARENA_H
#define SHIM_DOC_ARENA_H

#include <cstddef>

namespace xs
{

class DocArena
{
  public:
    DocArena();  // takes a free slot, if any
    ~DocArena(); // gives it back
    DocArena(const DocArena &) = delete;
    DocArena &operator=(const DocArena &) = delete;

    // Forgets everything allocated from the arena: the caller has destroyed every
    // object built in it (the document's terms are cleared). Memory beyond the first
    // XS_ARENA_KEEP bytes is handed back to the kernel, so that a long document does not
    // leave its arena's pages resident.
    void reset();

    // Asks the processor for the memory allocated so far, without waiting for it:
    // called by the thread about to read the document.
    void prefetch() const;

    // While a Scope is alive, operator new on this thread allocates from `arena` (when
    // it has a slot). Scopes nest; the innermost wins.
    class Scope
    {
      public:
        explicit Scope(DocArena &arena);
        ~Scope();
        Scope(const Scope &) = delete;
        Scope &operator=(const Scope &) = delete;

      private:
        DocArena *saved_;
    };

    // Memory for `n` bytes from the arena of this thread's innermost Scope, or nullptr
    // when there is none or it is full (operator new then uses malloc).
    static void *allocate(std::size_t n) noexcept;
    // Whether `p` lies in an arena (operator delete then leaves it alone).
    static bool owns(const void *p) noexcept;

  private:
    char *base_;       // the slot, or nullptr
    std::size_t used_; // bytes handed out since the last reset
    std::size_t high_; // the most bytes in use since the slot was taken (pages written)
};

} // namespace xs

#endif
