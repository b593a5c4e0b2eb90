/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  testEnvironmentOptions: { globalsCleanup: "off" },
  roots: ["<rootDir>/test", "<rootDir>/lib"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.jest.json" }] },
  moduleNameMapper: {
    "^runlater-iac$": "<rootDir>/lib/index.ts",
    "^runlater-iac/(.*)$": "<rootDir>/lib/$1",
  },
  testPathIgnorePatterns: ["/node_modules/", "/dist/", "/test/engines/"],
  testTimeout: 60000,
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
  globalSetup: "<rootDir>/test/support/global-setup.js",
  setupFilesAfterEnv: ["<rootDir>/test/support/setup.ts"],
};
