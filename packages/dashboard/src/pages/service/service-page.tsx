/** Placeholder until the page is built. */
export function ServicePage({ service }: { service: string }) {
  return <h1>service {service}</h1>;
}
