// How a benchmark reports: a table on stdout, and the same figures as JSON in bench-results/<name>.json
// (ignored by git), with the machine they were measured on.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export function machine() {
  const cpu = cpus();
  return { cores: cpu.length, cpu: cpu[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
}

export const describeMachine = (m = machine()) => `${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}`;

export const number = (value, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—';

/** Rows of cells, the first one the header; the first column left-aligned, the others right-aligned. */
export function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]))).join('   ')).join('\n');
}

/** Writes the figures of a run; returns the file's path. */
export function writeResults(root, name, results) {
  const dir = join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ name, at: new Date().toISOString(), machine: machine(), ...results }, null, 2)}\n`);
  return file;
}

/** A knob from the environment: a positive number, or the default. */
export function knob(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!(value > 0)) throw new Error(`${name} must be a positive number`);
  return value;
}

/** A list knob ("1000,5000"), or the default. */
export function listKnob(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const values = raw.split(',').map(Number);
  if (values.some((v) => !(v > 0))) throw new Error(`${name} must be a comma-separated list of positive numbers`);
  return values;
}
