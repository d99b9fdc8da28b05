/** Placeholder until the page is built. */
export function DeadLettersPage({ selected }: { selected?: string }) {
  return <h1>dead-letters {selected}</h1>;
}
