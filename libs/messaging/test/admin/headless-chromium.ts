import { chromium, type Browser } from 'playwright-core';

/** Flags every admin browser test needs: a container (no sandbox, no GPU) and no traffic of Chromium's own. */
const BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Debian's Chromium (`/usr/bin/chromium`), headless, with the spec's own flags on top. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...BASE_ARGS, ...extraArgs] });
}
