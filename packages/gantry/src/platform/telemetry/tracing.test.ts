import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { initTracing, traceHeaders, tracer, withSpan, type TracingHandle } from './tracing.js';

const exporter = new InMemorySpanExporter();
let handle: TracingHandle;

beforeEach(() => {
  exporter.reset();
  handle = initTracing({ serviceName: 'gantry-test', exporter });
});

afterAll(async () => {
  await handle.shutdown();
});

function spanNamed(name: string): ReadableSpan {
  const span = exporter.getFinishedSpans().find((candidate) => candidate.name === name);
  if (!span) throw new Error(`no span named ${name}`);
  return span;
}

function parentSpanId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

describe('withSpan', () => {
  it('makes the span active and ends it', async () => {
    let activeInside: string | undefined;
    const result = await withSpan('outer', { attributes: { 'gantry.test': 1 } }, async (span) => {
      activeInside = trace.getActiveSpan()?.spanContext().spanId;
      expect(activeInside).toBe(span.spanContext().spanId);
      await new Promise((resolve) => setTimeout(resolve, 1));
      return withSpan('inner', {}, () => Promise.resolve(42));
    });
    expect(result).toBe(42);
    const outer = spanNamed('outer');
    const inner = spanNamed('inner');
    expect(outer.spanContext().spanId).toBe(activeInside);
    expect(outer.kind).toBe(SpanKind.INTERNAL);
    expect(outer.attributes['gantry.test']).toBe(1);
    expect(outer.resource.attributes['service.name']).toBe('gantry-test');
    expect(inner.spanContext().traceId).toBe(outer.spanContext().traceId);
    expect(parentSpanId(inner)).toBe(outer.spanContext().spanId);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('records a failure, marks the span as an error and rethrows', async () => {
    const failure = new Error('cannot reach postgres://gantry:hunter2@db/gantry');
    await expect(withSpan('failing', {}, () => Promise.reject(failure))).rejects.toBe(failure);
    const span = spanNamed('failing');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.status.message).toBe('cannot reach postgres://gantry:***@db/gantry');
    const [event] = span.events;
    expect(event?.name).toBe('exception');
    expect(JSON.stringify(event?.attributes)).not.toContain('hunter2');
    expect(span.ended).toBe(true);
  });

  it('continues the trace carried by headers: request → outbox headers → publish → consume', async () => {
    // The request that writes the event.
    const headers = await withSpan('POST /releases', { kind: SpanKind.SERVER }, () =>
      Promise.resolve(traceHeaders()),
    );
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    // Later, elsewhere, with no active context: the relay publishes, the consumer handles.
    expect(trace.getActiveSpan()).toBeUndefined();
    const published = await withSpan(
      'release.created publish',
      { kind: SpanKind.PRODUCER, parentHeaders: headers },
      () => Promise.resolve({ ...headers, ...traceHeaders() }),
    );
    await withSpan('release.created process', { kind: SpanKind.CONSUMER, parentHeaders: published }, () =>
      Promise.resolve(),
    );

    const request = spanNamed('POST /releases');
    const publish = spanNamed('release.created publish');
    const consume = spanNamed('release.created process');
    const traceId = request.spanContext().traceId;
    expect(publish.spanContext().traceId).toBe(traceId);
    expect(consume.spanContext().traceId).toBe(traceId);
    expect(parentSpanId(publish)).toBe(request.spanContext().spanId);
    expect(parentSpanId(consume)).toBe(publish.spanContext().spanId);
    expect(consume.kind).toBe(SpanKind.CONSUMER);
  });

  it('parents on the headers rather than the active span, and starts a new trace without a traceparent', async () => {
    const foreign = await withSpan('foreign', {}, () => Promise.resolve(traceHeaders()));
    await withSpan('loop', {}, async () => {
      await withSpan('from headers', { parentHeaders: foreign }, () => Promise.resolve());
      await withSpan('from nothing', { parentHeaders: {} }, () => Promise.resolve());
    });
    const fromHeaders = spanNamed('from headers');
    expect(parentSpanId(fromHeaders)).toBe(spanNamed('foreign').spanContext().spanId);
    const fromNothing = spanNamed('from nothing');
    expect(parentSpanId(fromNothing)).toBeUndefined();
    expect(fromNothing.spanContext().traceId).not.toBe(spanNamed('loop').spanContext().traceId);
  });
});

describe('traceHeaders', () => {
  it('is empty outside a span', () => {
    expect(traceHeaders()).toEqual({});
  });
});

describe('initTracing', () => {
  it('can be called again; a tracer kept from before follows the new provider', async () => {
    const kept = tracer();
    const second = new InMemorySpanExporter();
    const secondHandle = initTracing({ serviceName: 'gantry-again', exporter: second });
    kept.startSpan('kept tracer').end();
    await withSpan('after re-init', {}, () => Promise.resolve());
    expect(second.getFinishedSpans().map((span) => span.name)).toEqual(['kept tracer', 'after re-init']);
    expect(exporter.getFinishedSpans()).toEqual([]);
    await secondHandle.shutdown();
    // Shutting down the current provider unregisters it: spans are no-ops again.
    await withSpan('after shutdown', {}, (span) => {
      expect(span.isRecording()).toBe(false);
      return Promise.resolve();
    });
  });

  it('records nothing without an exporter or endpoint, but still propagates', async () => {
    const local = initTracing({ serviceName: 'gantry-local' });
    const headers = await withSpan('unexported', {}, () => Promise.resolve(traceHeaders()));
    expect(headers.traceparent).toBeDefined();
    expect(exporter.getFinishedSpans()).toEqual([]);
    await local.shutdown();
  });
});
