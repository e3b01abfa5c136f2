#!/usr/bin/env node
import { runMockCli } from '../mock-server/mock-cli.js';

await runMockCli(process.argv.slice(2));
