import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { errorMessage } from '../../shared/errors.js';
import { redactText } from '../../shared/redact.js';

// Tracing for the whole process. A request, the outbox row it writes, the
// relay's publish and every consumer's handling share one trace: the W3C
// `traceparent` travels in HTTP headers and in event headers.
//
// Spans are always created and propagated (so trace ids reach logs and events)
// but only leave the process when an OTLP endpoint or an exporter is given.

export type { SpanExporter } from '@opentelemetry/sdk-trace-base';

const TRACER_NAME = 'gantry';

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP base URL (e.g. http://otel-collector:4318); spans go to `${otlpEndpoint}/v1/traces`. */
  otlpEndpoint?: string;
  /** Receives every span as it ends (tests pass an InMemorySpanExporter). */
  exporter?: SpanExporter;
}

export interface TracingHandle {
  /** Exports what is buffered; resolves when the exporter has answered. */
  forceFlush(): Promise<void>;
  /** Flushes, stops exporting and unregisters the global provider if it is still this one. */
  shutdown(): Promise<void>;
}

let current: NodeTracerProvider | undefined;

/**
 * Registers Gantry's tracer provider globally (AsyncLocalStorage context,
 * W3C trace-context propagation). Calling it again replaces the previous
 * provider (flushed in the background; its handle still shuts it down), and
 * tracers from `tracer()` follow the replacement.
 */
export function initTracing(options: TracingOptions): TracingHandle {
  const spanProcessors: SpanProcessor[] = [];
  if (options.exporter) spanProcessors.push(new SimpleSpanProcessor(options.exporter));
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName })),
    spanProcessors,
  });

  const previous = current;
  if (previous) {
    // Flushed, not shut down: its exporter may be shared with the new provider
    // (a test's InMemorySpanExporter); its own handle still shuts it down.
    unregisterGlobals();
    previous.forceFlush().catch(() => undefined);
  }
  provider.register({ propagator: new W3CTraceContextPropagator() });
  current = provider;

  let stopped: Promise<void> | undefined;
  return {
    forceFlush: () => provider.forceFlush(),
    shutdown() {
      stopped ??= (async () => {
        if (current === provider) {
          unregisterGlobals();
          current = undefined;
        }
        await provider.shutdown();
      })();
      return stopped;
    },
  };
}

function unregisterGlobals(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}

/**
 * Gantry's tracer. It looks up the registered provider on every call, so it
 * can be kept in a field and still follows `initTracing` (a no-op tracer
 * before the first call).
 */
export function tracer(): Tracer {
  return gantryTracer;
}

function currentTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

class GantryTracer implements Tracer {
  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
    return currentTracer().startSpan(name, options, ctx);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan(...args: unknown[]): unknown {
    const delegate = currentTracer() as unknown as { startActiveSpan(...forwarded: unknown[]): unknown };
    return delegate.startActiveSpan(...args);
  }
}

const gantryTracer = new GantryTracer();

/** `traceparent` (and `tracestate`) of the active span, to carry in HTTP or event headers; {} without one. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The context described by W3C trace headers (an incoming request's, an event's), for starting children. */
export function contextFromHeaders(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, headers, {
    keys: (carrier) => Object.keys(carrier),
    get: (carrier, key) => {
      const value = carrier[key];
      return Array.isArray(value) ? value[0] : value;
    },
  });
}

export interface WithSpanOptions {
  /** INTERNAL unless given. */
  kind?: SpanKind;
  attributes?: Attributes;
  /**
   * Headers of the message or request this work continues (an event's
   * headers). When given, the span's parent is the context they carry, not the
   * active one; without a traceparent in them the span starts a new trace.
   */
  parentHeaders?: Record<string, string>;
}

/**
 * Runs `fn` inside a new active span, so spans, logs and trace headers created
 * within belong to it. A throw is recorded on the span (message and stack with
 * credentials redacted), sets its status to ERROR and is rethrown. The span
 * always ends.
 */
export function withSpan<T>(
  name: string,
  options: WithSpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parentHeaders ? contextFromHeaders(options.parentHeaders) : context.active();
  const spanOptions: SpanOptions = { kind: options.kind ?? SpanKind.INTERNAL };
  if (options.attributes) spanOptions.attributes = options.attributes;
  return currentTracer().startActiveSpan(name, spanOptions, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Records an exception on a span (credentials redacted) and marks it failed. */
export function recordError(span: Span, error: unknown): void {
  const message = redactText(errorMessage(error));
  if (error instanceof Error) {
    span.recordException({
      name: error.name,
      message,
      ...(error.stack ? { stack: redactText(error.stack) } : {}),
    });
  } else {
    span.recordException(message);
  }
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
