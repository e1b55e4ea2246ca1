// Peer SUVbw: reads a JSON array of instance metadata (the field names of @cornerstonejs/calculate-suv's
// InstanceMetadata) from stdin and prints {"suvbw":[...]} with one factor per instance, or {"error":"..."}.
// Used by Derby.Imaging.Tests (SuvPeerAgreementTests) to compare Derby's SuvCalculator with the QIBA pseudo-code.
import pkg from '@cornerstonejs/calculate-suv';

const { calculateSUVScalingFactors } = pkg;

// The library warns on stdout/stderr when PatientSize is absent (only SUVlbm/SUVbsa need it): keep stdout clean.
console.warn = () => {};

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}

const instances = JSON.parse(Buffer.concat(chunks).toString('utf8'));
try {
  const factors = calculateSUVScalingFactors(instances);
  process.stdout.write(JSON.stringify({ suvbw: factors.map(f => f.suvbw) }));
} catch (e) {
  process.stdout.write(JSON.stringify({ error: String(e && e.message ? e.message : e) }));
}
