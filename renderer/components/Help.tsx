import { type ReactNode, useId } from 'react'

/** A label with an (i) that explains it on hover or keyboard focus. */
export function Help({ label, text }: { label: ReactNode; text: string }) {
  const id = useId()
  return (
    <span className="group relative inline-flex items-center gap-1">
      {label}
      <button
        type="button"
        aria-label={`About ${typeof label === 'string' ? label : 'this'}`}
        aria-describedby={id}
        className="inline-flex h-3.5 w-3.5 cursor-help items-center justify-center rounded-full border border-current font-serif text-[0.6rem] leading-none font-bold text-slate-400 italic hover:text-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:text-slate-200"
      >
        i
      </button>
      <span
        role="tooltip"
        id={id}
        className="pointer-events-none invisible absolute top-full left-0 z-30 mt-1 w-64 rounded-md bg-slate-900 p-2 text-xs font-normal normal-case text-white opacity-0 shadow-lg transition-opacity group-hover:visible group-hover:opacity-100 group-focus-within:visible group-focus-within:opacity-100 dark:bg-slate-700"
      >
        {text}
      </span>
    </span>
  )
}
