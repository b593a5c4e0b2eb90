// Real-engine end-to-end suites (pulumi CLI, OpenTofu); run by `npm run test:engines`.
const base = require("../../jest.config.js");
module.exports = {
  ...base,
  rootDir: "../..",
  roots: ["<rootDir>/test/engines"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
  testTimeout: 600000,
};
