import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { managementApi } from '../support';

const run = promisify(execFile);

/** `0.4` (a fraction of RAM) or `absolute <bytes>`: the arguments that set the watermark back. */
async function currentWatermark(): Promise<string[]> {
  const { stdout } = await run('rabbitmqctl', [
    '-q',
    'eval',
    'vm_memory_monitor:get_vm_memory_high_watermark().',
  ]);
  const value = stdout.trim();
  const absolute = /^\{absolute,\s*"?(\d+)"?\}$/.exec(value);
  if (absolute) return ['absolute', absolute[1]];
  if (!/^\d+(\.\d+)?$/.test(value)) throw new Error(`unexpected vm_memory_high_watermark: ${value}`);
  return [value];
}

async function alarmRaised(): Promise<boolean> {
  const nodes = (await managementApi('GET', '/api/nodes?columns=name,mem_alarm')) as Array<{
    mem_alarm?: boolean;
  }>;
  return nodes.some((node) => node.mem_alarm === true);
}

/**
 * Runs `during` while the broker's memory alarm blocks every publishing connection (watermark 0), and
 * sets the watermark back to what it was in `finally`, even when `during` fails. Broker-wide: keep short.
 */
export async function withMemoryAlarm<T>(during: () => Promise<T>): Promise<T> {
  const original = await currentWatermark();
  try {
    await run('rabbitmqctl', ['-q', 'set_vm_memory_high_watermark', '0']);
    for (let i = 0; i < 50 && !(await alarmRaised()); i++) await new Promise((r) => setTimeout(r, 100));
    return await during();
  } finally {
    await run('rabbitmqctl', ['-q', 'set_vm_memory_high_watermark', ...original]);
  }
}
