// What a list shows, in words: one sentence ("Production deployments of team
// payments finished between … and …") and one removable part per filter.

export interface FilterPart<K extends string = string> {
  /** The filter this part removes. */
  key: K;
  /** The filter in a few words: "team payments". */
  words: string;
}

export interface FilterDescription<K extends string = string> {
  sentence: string;
  parts: FilterPart<K>[];
}

/** "Promotions" + ["of team payments", "into stage prod"] → "Promotions of team payments into stage prod." */
export function sentence(subject: string, clauses: readonly (string | undefined)[]): string {
  return `${[subject, ...clauses.filter(Boolean)].join(' ')}.`;
}
