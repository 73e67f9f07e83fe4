// Runs graphql-http's server audits against the URL given as the only argument and prints
// one JSON line per audit, so the pytest test can assert on every result.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const results = [];
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') entry.reason = result.reason;
  results.push(entry);
}
process.stdout.write(JSON.stringify(results) + '\n');
