// The stages of a pipeline form a directed acyclic graph: a stage requires
// its upstream stages, and a release enters it only after succeeding in them.
// These helpers are pure and work on anything with a name and its requires,
// so they serve both the parsed StageSpec and half-validated input.

import { didYouMean } from './did-you-mean.js';

export interface StageNode {
  readonly name: string;
  /** Names of the upstream stages, already defaulted (see StageSpec.requires). */
  readonly requires: readonly string[];
}

export interface StageGraphProblem {
  /** Relative to the stage list: `[2, 'name']` or `[2, 'requires', 0]`. */
  path: (string | number)[];
  message: string;
}

/**
 * Everything wrong with the graph: duplicate stage names, requires naming a
 * stage that does not exist, a stage requiring itself or the same stage twice,
 * and cycles (each reported once, on the requires entry that points forward in
 * the list, since that is the one that closes the loop). Stages whose name or
 * requires could not be read are given as `undefined` and skipped.
 */
export function stageGraphProblems(
  stages: ReadonlyArray<{ name?: string | undefined; requires?: readonly string[] | undefined }>,
): StageGraphProblem[] {
  const problems: StageGraphProblem[] = [];
  const indexByName = new Map<string, number>();
  stages.forEach((stage, index) => {
    if (stage.name === undefined) return;
    const first = indexByName.get(stage.name);
    if (first === undefined) indexByName.set(stage.name, index);
    else
      problems.push({
        path: [index, 'name'],
        message: `"${stage.name}" is already the name of stages[${first}]`,
      });
  });

  // edges[i] lists, for each usable requires entry of stage i, the entry's position and the upstream index.
  const edges: { entry: number; upstream: number }[][] = stages.map(() => []);
  stages.forEach((stage, index) => {
    const seen = new Set<string>();
    (stage.requires ?? []).forEach((name, entry) => {
      const path = [index, 'requires', entry];
      if (seen.has(name)) {
        problems.push({ path, message: `"${name}" is listed twice` });
        return;
      }
      seen.add(name);
      const upstream = indexByName.get(name);
      if (upstream === undefined) {
        problems.push({
          path,
          message: `"${name}" is not a stage of this pipeline${didYouMean(name, indexByName.keys())}`,
        });
      } else if (name === stage.name) {
        problems.push({ path, message: 'a stage cannot require itself' });
      } else {
        edges[index]!.push({ entry, upstream });
      }
    });
  });

  for (const cycle of findCycles(edges)) {
    // `cycle` lists stage indexes, each requiring the next, the last requiring the first.
    // Report it on the first edge that points forward in the list: a default
    // requires always points backward, so that edge was written by hand.
    const at = cycle.findIndex((from, i) => cycle[(i + 1) % cycle.length]! > from);
    const rotated = [...cycle.slice(at), ...cycle.slice(0, at)];
    const from = rotated[0]!;
    const to = rotated[1]!;
    const entry = edges[from]!.find((edge) => edge.upstream === to)!.entry;
    const names = rotated.map((index) => stages[index]!.name!);
    const further = names
      .slice(2)
      .map((name) => `, which requires ${name}`)
      .join('');
    problems.push({
      path: [from, 'requires', entry],
      message: `"${names[1]}" makes a cycle: ${names[0]} requires ${names[1]}${further}, which requires ${names[0]}`,
    });
  }
  return problems;
}

/**
 * The cycles a depth-first search meets (at least one in every cyclic part of
 * the graph), each once, as stage indexes in requires order.
 */
function findCycles(edges: readonly { upstream: number }[][]): number[][] {
  const state = new Array<'new' | 'open' | 'done'>(edges.length).fill('new');
  const stack: number[] = [];
  const cycles: number[][] = [];
  const seen = new Set<string>();
  const visit = (node: number): void => {
    state[node] = 'open';
    stack.push(node);
    for (const { upstream } of edges[node]!) {
      if (state[upstream] === 'open') {
        const cycle = stack.slice(stack.indexOf(upstream));
        const key = [...cycle].sort((a, b) => a - b).join(',');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (state[upstream] === 'new') {
        visit(upstream);
      }
    }
    stack.pop();
    state[node] = 'done';
  };
  edges.forEach((_, node) => {
    if (state[node] === 'new') visit(node);
  });
  return cycles;
}

/**
 * The stages ordered so that every stage comes after all it requires; among
 * stages that could go next, the one listed first in gantry.yaml goes first.
 * Requires naming unknown stages are ignored. Throws on a cycle, which a
 * parsed pipeline never has.
 */
export function topologicalOrder<T extends StageNode>(stages: readonly T[]): T[] {
  const names = new Set(stages.map((stage) => stage.name));
  const placed = new Set<string>();
  const order: T[] = [];
  while (order.length < stages.length) {
    const next = stages.find(
      (stage) =>
        !placed.has(stage.name) &&
        stage.requires.every((name) => placed.has(name) || !names.has(name) || name === stage.name),
    );
    if (next === undefined) {
      const stuck = stages.filter((stage) => !placed.has(stage.name)).map((stage) => stage.name);
      throw new Error(`stages form a cycle: ${stuck.join(', ')}`);
    }
    placed.add(next.name);
    order.push(next);
  }
  return order;
}

export interface GraphWalkOptions {
  /** Follow the graph all the way (default), or stop at the direct neighbours. */
  transitive?: boolean;
}

/**
 * Stages that require `name`: the direct ones, or with `transitive` (the
 * default) everything further down too. In topological order.
 */
export function downstreamOf<T extends StageNode>(
  stages: readonly T[],
  name: string,
  options: GraphWalkOptions = {},
): T[] {
  return walk(stages, name, options, (stage, from) => stage.requires.includes(from.name));
}

/** Stages `name` requires: the direct ones, or with `transitive` (the default) all ancestors. In topological order. */
export function upstreamOf<T extends StageNode>(
  stages: readonly T[],
  name: string,
  options: GraphWalkOptions = {},
): T[] {
  return walk(stages, name, options, (stage, from) => from.requires.includes(stage.name));
}

/** Stages with no requires, where a new release enters the pipeline. */
export function entryStages<T extends StageNode>(stages: readonly T[]): T[] {
  return stages.filter((stage) => stage.requires.length === 0);
}

function walk<T extends StageNode>(
  stages: readonly T[],
  name: string,
  { transitive = true }: GraphWalkOptions,
  linked: (stage: T, from: T) => boolean,
): T[] {
  const start = stages.find((stage) => stage.name === name);
  if (start === undefined) throw new Error(`no stage named "${name}"`);
  const found = new Set<T>();
  const queue: T[] = [start];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const stage of stages) {
      if (stage === start || found.has(stage) || !linked(stage, from)) continue;
      found.add(stage);
      if (transitive) queue.push(stage);
    }
  }
  return topologicalOrder(stages).filter((stage) => found.has(stage));
}
