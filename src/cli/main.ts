import 'reflect-metadata';
import { EXIT_OK } from './cli-errors';
import { runCli } from './cli';
import { isKeptAlive } from './keep-alive';

// Entry of bin/zhiku.js. serve and worker keep running until a signal; everything else exits here.
void runCli(process.argv).then((code) => {
  if (code !== EXIT_OK || !isKeptAlive()) process.exit(code);
});
