import { describe, expect, it } from 'vitest';
import {
  downstreamOf,
  entryStages,
  stageGraphProblems,
  topologicalOrder,
  upstreamOf,
  type StageNode,
} from './stage-graph.js';

const stage = (name: string, ...requires: string[]): StageNode => ({ name, requires });
const names = (stages: readonly StageNode[]): string[] => stages.map((s) => s.name);

// develop → qa ─┐
//         └→ perf → staging → prod      (staging requires qa and perf)
const diamond = [
  stage('develop'),
  stage('qa', 'develop'),
  stage('perf', 'develop'),
  stage('staging', 'qa', 'perf'),
  stage('prod', 'staging'),
];

describe('stage graph', () => {
  it('orders stages after everything they require, keeping list order among equals', () => {
    expect(names(topologicalOrder(diamond))).toEqual(['develop', 'qa', 'perf', 'staging', 'prod']);
    const listedBackwards = [stage('prod', 'staging'), stage('staging', 'develop'), stage('develop')];
    expect(names(topologicalOrder(listedBackwards))).toEqual(['develop', 'staging', 'prod']);
  });

  it('refuses to order a cycle', () => {
    expect(() => topologicalOrder([stage('a', 'b'), stage('b', 'a')])).toThrow('stages form a cycle: a, b');
  });

  it('finds downstream stages, transitively by default', () => {
    expect(names(downstreamOf(diamond, 'develop'))).toEqual(['qa', 'perf', 'staging', 'prod']);
    expect(names(downstreamOf(diamond, 'develop', { transitive: false }))).toEqual(['qa', 'perf']);
    expect(names(downstreamOf(diamond, 'prod'))).toEqual([]);
  });

  it('finds upstream stages, transitively by default', () => {
    expect(names(upstreamOf(diamond, 'staging'))).toEqual(['develop', 'qa', 'perf']);
    expect(names(upstreamOf(diamond, 'staging', { transitive: false }))).toEqual(['qa', 'perf']);
    expect(names(upstreamOf(diamond, 'develop'))).toEqual([]);
    expect(() => upstreamOf(diamond, 'nope')).toThrow('no stage named "nope"');
  });

  it('finds the entry stages', () => {
    expect(names(entryStages(diamond))).toEqual(['develop']);
    expect(names(entryStages([stage('pr-1'), stage('develop'), stage('prod', 'develop')]))).toEqual([
      'pr-1',
      'develop',
    ]);
  });

  it('accepts a valid graph', () => {
    expect(stageGraphProblems(diamond)).toEqual([]);
  });

  it('reports duplicate names, unknown, repeated and self requires', () => {
    expect(
      stageGraphProblems([
        stage('develop'),
        stage('staging', 'develp', 'develop', 'develop'),
        stage('staging', 'staging'),
      ]),
    ).toEqual([
      { path: [2, 'name'], message: '"staging" is already the name of stages[1]' },
      {
        path: [1, 'requires', 0],
        message: '"develp" is not a stage of this pipeline; did you mean "develop"?',
      },
      { path: [1, 'requires', 2], message: '"develop" is listed twice' },
      { path: [2, 'requires', 0], message: 'a stage cannot require itself' },
    ]);
  });

  it('reports a cycle once, on the requires entry that points forward', () => {
    expect(
      stageGraphProblems([stage('develop', 'prod'), stage('staging', 'develop'), stage('prod', 'staging')]),
    ).toEqual([
      {
        path: [0, 'requires', 0],
        message:
          '"prod" makes a cycle: develop requires prod, which requires staging, which requires develop',
      },
    ]);
    expect(stageGraphProblems([stage('a'), stage('b', 'a', 'c'), stage('c', 'b')])).toEqual([
      { path: [1, 'requires', 1], message: '"c" makes a cycle: b requires c, which requires b' },
    ]);
  });

  it('skips stages it cannot read', () => {
    expect(stageGraphProblems([{ name: 'a' }, { requires: ['a'] }, { name: 'c', requires: ['b'] }])).toEqual([
      { path: [2, 'requires', 0], message: '"b" is not a stage of this pipeline' },
    ]);
  });
});
