/** The scripted story of the demo: normal, flaky and poison orders through both apps. */
export interface DemoUrls {
  producer: string;
  consumer: string;
  mailApi: string;
  adminToken: string;
}

interface LedgerRow {
  orderId: string;
  eventType: string;
  seq: number;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

async function http<T>(method: string, url: string, body?: unknown, token?: string): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} -> ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${lastError}` : ''}`);
}

async function placeOrder(urls: DemoUrls, customerId: string, amountCents: number, lifecycle: boolean) {
  const { id } = await http<{ id: string }>('POST', `${urls.producer}/orders`, { customerId, amountCents });
  if (lifecycle) {
    await http('POST', `${urls.producer}/orders/${id}/pay`);
    await http('POST', `${urls.producer}/orders/${id}/ship`);
  }
  say(`  order ${id} for ${customerId}${lifecycle ? ': created, paid, shipped' : ': created'}`);
  return id;
}

export async function runScenario(urls: DemoUrls): Promise<void> {
  say(
    '\n1/4 placing orders through the producer API (each change = order row + outbox row, one transaction)',
  );
  const normal = [
    await placeOrder(urls, 'alice', 1999, true),
    await placeOrder(urls, 'bob', 4500, true),
    await placeOrder(urls, 'carol', 1250, true),
  ];
  const flaky = await placeOrder(urls, 'fail-times-2-dave', 990, true);
  const poison = await placeOrder(urls, 'fail-always-eve', 100, false);

  say('2/4 waiting for billing to handle every event in order (flaky order: 2 failures per event, retried)');
  for (const id of [...normal, flaky]) {
    const rows = await waitUntil(`ledger rows of ${id}`, async () => {
      const ledger = await http<LedgerRow[]>('GET', `${urls.consumer}/ledger?orderId=${id}`);
      return ledger.length >= 3 ? ledger : undefined;
    });
    say(`  ${id}: ${rows.map((r) => `${r.seq}:${r.eventType}`).join(' -> ')}`);
  }

  say('3/4 waiting for the poison order to be parked in dead_letter');
  const parked = await waitUntil('the poison message in dead_letter', async () => {
    const page = await http<{
      items: Array<{ id: string; messageId: string; reason: string; partitionKey: string | null }>;
    }>('GET', `${urls.consumer}/admin/api/dead-letters?status=open`, undefined, urls.adminToken);
    return page.items.find((item) => item.partitionKey === poison);
  });
  say(`  dead letter #${parked.id} (reason ${parked.reason}) for order ${poison}`);

  say('4/4 waiting for the alert email');
  // The first failure of a class is emailed at once; one that falls into the class's digest window
  // (ALERT_DIGEST_WINDOW_MS from the first, kept in the database across runs) is named in its digest.
  const email = await waitUntil(
    `the alert email naming message ${parked.messageId}, at once or in its class's digest`,
    async () => {
      // maildev 3 serves its REST API under /api (2 served it at the root).
      const inbox = await http<Array<{ subject: string; text: string }>>('GET', `${urls.mailApi}/api/email`);
      return inbox.find((mail) => mail.text.includes(parked.messageId));
    },
  );
  say(`  email: "${email.subject}"`);
}
