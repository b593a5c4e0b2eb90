// A plain-Node emulator process for crash tests: starts the compiled emulator (dist/, built by
// global-setup.js) with the state file given as argv[2] and prints one JSON line {url, apiKey}.
// The test kills it with SIGKILL; nothing here cleans up on purpose.
const { startEmulator } = require("../../dist/emulator");

startEmulator({ stateFile: process.argv[2], apiKeys: [process.argv[3]], rateLimit: false }).then(
  (emu) => process.stdout.write(`${JSON.stringify({ url: emu.url, apiKey: emu.apiKey })}\n`),
  (e) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  },
);
