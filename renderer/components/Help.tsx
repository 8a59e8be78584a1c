import { type ReactNode, useId, useState } from 'react'

/** A label with an (i) that explains it on hover or keyboard focus; Escape closes it. */
export function Help({ label, text }: { label: ReactNode; text: string }) {
  const id = useId()
  const [open, setOpen] = useState(false)
  return (
    <span className="relative inline-flex items-center gap-1">
      {label}
      <button
        type="button"
        aria-label={`About ${typeof label === 'string' ? label : 'this'}`}
        aria-describedby={open ? id : undefined}
        onMouseEnter={() => setOpen(true)}
        onMouseLeave={() => setOpen(false)}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
        className="inline-flex h-3.5 w-3.5 cursor-help items-center justify-center rounded-full border border-current font-serif text-[0.6rem] leading-none font-bold text-slate-400 italic hover:text-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:text-slate-200"
      >
        i
      </button>
      {open && (
        <span
          role="tooltip"
          id={id}
          className="absolute top-full left-0 z-30 mt-1 w-64 rounded-md bg-slate-900 p-2 text-xs font-normal normal-case text-white shadow-lg dark:bg-slate-700"
        >
          {text}
        </span>
      )}
    </span>
  )
}
