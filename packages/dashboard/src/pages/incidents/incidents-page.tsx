/** Placeholder until the page is built. */
export function IncidentsPage({ selected }: { selected?: string }) {
  return <h1>incidents {selected}</h1>;
}
