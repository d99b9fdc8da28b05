import { useEffect, useState } from 'react';

// Which colour scheme the page shows: the header's choice (data-theme on
// <html>) or, with "system", the browser's. Charts draw on a canvas with
// colours read from CSS variables, so they redraw when this changes.

export type ColourScheme = 'light' | 'dark';

const DARK = '(prefers-color-scheme: dark)';

export function currentColourScheme(): ColourScheme {
  const chosen = document.documentElement.getAttribute('data-theme');
  if (chosen === 'light' || chosen === 'dark') return chosen;
  return window.matchMedia?.(DARK).matches ? 'dark' : 'light';
}

export function useColourScheme(): ColourScheme {
  const [scheme, setScheme] = useState(currentColourScheme);
  useEffect(() => {
    const update = () => setScheme(currentColourScheme());
    const media = window.matchMedia?.(DARK);
    media?.addEventListener('change', update);
    const observer = new MutationObserver(update);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      media?.removeEventListener('change', update);
      observer.disconnect();
    };
  }, []);
  return scheme;
}

/**
 * The colour a stylesheet variable (e.g. `ok-fg`) resolves to where `element`
 * sits, as the canvas needs it. The variables hold light-dark() pairs, which
 * only a colour property resolves: a hidden probe element reads it.
 */
export function cssColour(element: Element, name: string): string {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  probe.style.color = `var(--${name})`;
  element.appendChild(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour || '#808080';
}
