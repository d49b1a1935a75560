// bree runs each job in a worker thread, and workers do not inherit tsx's loader hooks: in development
// (TypeScript sources) the scheduler starts this file, which registers tsx and then imports the .ts job.
// The built output (dist/) runs the compiled .js jobs directly and never uses this file.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.jobModule);
