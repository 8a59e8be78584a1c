import { useState } from 'react'
import { Button } from './ui.tsx'

/** A destructive action asked twice: the first click shows what will happen and a Confirm. */
export function ConfirmButton({
  children,
  question,
  onConfirm,
  label,
  disabled,
}: {
  children: string
  question: string
  onConfirm: () => void
  label: string
  disabled?: boolean
}) {
  const [asking, setAsking] = useState(false)
  if (!asking)
    return (
      <Button variant="danger" onClick={() => setAsking(true)} label={label} disabled={disabled ?? false}>
        {children}
      </Button>
    )
  return (
    <fieldset className="inline-flex flex-wrap items-center justify-end gap-1 text-xs" aria-label={question}>
      <span>{question}</span>
      <Button
        variant="danger"
        onClick={() => {
          setAsking(false)
          onConfirm()
        }}
      >
        Confirm
      </Button>
      <Button onClick={() => setAsking(false)}>Cancel</Button>
    </fieldset>
  )
}
