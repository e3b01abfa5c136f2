#!/usr/bin/env node
import { runConformCli } from '../conformance/conform-cli.js';

await runConformCli(process.argv.slice(2));
