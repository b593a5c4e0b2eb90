// Prints the closing line CI reads: "N passed, N failed, N skipped" alone on a line.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped`;
    process.stdout.write(`\njest: ${line}\n`);
  }
}
module.exports = SummaryReporter;
