import { currentTraceHeaders, currentTraceIds, runInTrace } from './trace-context';
import { currentLogFields, withLogFields } from './log-fields';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';

describe('trace context', () => {
  it('continues an incoming traceparent with a new span id and the same flags', () => {
    const headers = runInTrace({ traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-00` }, currentTraceHeaders);
    const [, traceId, spanId, flags] = headers.traceparent!.split('-');
    expect({ traceId, flags }).toEqual({ traceId: TRACE_ID, flags: '00' });
    expect(spanId).not.toBe(PARENT_SPAN);
  });

  it('reads a traceparent delivered as an AMQP Buffer header', () => {
    const ids = runInTrace({ traceparent: Buffer.from(`00-${TRACE_ID}-${PARENT_SPAN}-01`) }, currentTraceIds);
    expect(ids?.traceId).toBe(TRACE_ID);
  });

  it.each([
    undefined,
    {},
    { traceparent: 'garbage' },
    { traceparent: `00-${'0'.repeat(32)}-${PARENT_SPAN}-01` },
  ])('starts a new sampled trace when the carrier has no valid traceparent (%p)', (carrier) => {
    const headers = runInTrace(carrier, currentTraceHeaders);
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(headers.traceparent).not.toContain('0'.repeat(32));
  });

  it('keeps the trace across awaits and is empty outside any', async () => {
    const inside = await runInTrace({ traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01` }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return currentTraceIds()?.traceId;
    });
    expect(inside).toBe(TRACE_ID);
    expect(currentTraceHeaders()).toEqual({});
  });

  it('adds message identifiers to the log fields, inner values winning, without empty ones', () => {
    const fields = runInTrace({ traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01` }, () =>
      withLogFields({ messageId: 'm-1', queue: 'q', exchange: '' }, () =>
        withLogFields({ queue: 'q2', correlationId: 'c-1' }, currentLogFields),
      ),
    );
    expect(fields).toEqual({
      traceId: TRACE_ID,
      spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
      messageId: 'm-1',
      queue: 'q2',
      correlationId: 'c-1',
    });
  });
});
