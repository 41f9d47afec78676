import { ChaosSuite } from '../chaos/chaos-suite';

// `npm run chaos -- --quick` inside `npm test`: one broker SIGKILL, one consumer SIGKILL, 2,000 events.
describe('chaos, quick scenario', () => {
  it('loses, duplicates and reorders nothing across a broker kill and a consumer kill', async () => {
    const lines: string[] = [];
    const suite = new ChaosSuite({ mode: 'quick', log: (line) => lines.push(line) });

    const report = await suite.run();

    const run = report.runs[0];
    expect(run.faults.map((f) => [f.kind, f.error])).toEqual([
      ['rabbitmq-kill', undefined],
      ['consumer-kill', undefined],
    ]);
    expect(run.verdict.sent).toBeGreaterThanOrEqual(2000);
    expect({
      lost: report.lost,
      duplicates: report.duplicates,
      orderViolations: report.orderViolations,
      outboxPending: run.verdict.outboxPending,
      poisonMissing: run.verdict.poisonMissing,
    }).toEqual({ lost: 0, duplicates: 0, orderViolations: 0, outboxPending: 0, poisonMissing: 0 });
    expect(report.failures).toEqual([]);
  }, 300_000);
});
