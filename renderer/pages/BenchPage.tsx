import { PageTitle, Empty } from '../components/ui.tsx'

export function BenchPage() {
  return (
    <div>
      <PageTitle>Bench</PageTitle>
      <Empty>Benchmarks run from the CLI for now: worldbench bench hello-trio</Empty>
    </div>
  )
}
