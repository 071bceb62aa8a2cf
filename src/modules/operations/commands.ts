// Operations' console commands: the outbox's dead letters, listed and replayed; workflow runs, listed
// and shown. The operator at the console acts with platform authority (audited as `console`). Only
// commander is loaded here.
import { Option } from 'commander';
import type { CommandLine } from '../../kernel/module.js';

const operator = async () => (await import('../identity/index.js')).consoleOperatorContext('cli');

// The commands use no kernel service directly: everything goes through operations' API.
export function operationsCommands({ program, withPlatform }: CommandLine<never>): void {
  const events = program.command('events').description('The event outbox: dead deliveries and their replay');
  events
    .command('dead-letters')
    .description('List event deliveries that failed their last retry (JSON), newest first')
    .option('--handler <name>', 'only this handler’s')
    .option('--event <id>', 'only this event’s (evt_…)')
    .addOption(new Option('--state <state>', 'dead (waiting for a replay), replayed or all').choices(['dead', 'replayed', 'all']).default('dead'))
    .option('--limit <n>', 'at most this many (1-100)', '100')
    .action((options: { handler?: string; event?: string; state: 'dead' | 'replayed' | 'all'; limit: string }) =>
      withPlatform(async (platform) => {
        const page = await platform.operations.service.listDeadLetters({ handler: options.handler, eventId: options.event, state: options.state, limit: Number(options.limit) }, await operator());
        console.log(JSON.stringify(page.data, null, 2));
      }),
    );
  events
    .command('replay')
    .description('Queue dead event deliveries again (one by id, a handler’s, an event’s, or --all); each replay is audited')
    .argument('[id]', 'one dead letter (dlq_…)')
    .option('--handler <name>', 'every dead delivery of this handler')
    .option('--event <id>', 'every dead delivery of this event (evt_…)')
    .option('--all', 'every dead delivery')
    .action((id: string | undefined, options: { handler?: string; event?: string; all?: boolean }) =>
      withPlatform(async (platform) => {
        if (id === undefined && options.handler === undefined && options.event === undefined && !options.all) throw new Error('Say which dead letters to replay: an id, --handler, --event or --all.');
        const service = platform.operations.service;
        const replayed = id !== undefined ? [await service.replayDeadLetter(id, await operator())] : (await service.replayDeadLetters({ handler: options.handler, eventId: options.event }, await operator())).data;
        console.log(JSON.stringify(replayed, null, 2));
        console.error(`${replayed.length} dead deliver${replayed.length === 1 ? 'y' : 'ies'} queued again.`);
      }),
    );

  const workflows = program.command('workflows').description('Workflow runs (multi-step processes with compensation) and their steps');
  workflows
    .command('list')
    .description('List workflow runs (JSON), newest first')
    .addOption(new Option('--status <status>', 'only runs in this status').choices(['running', 'completed', 'compensating', 'compensated', 'failed']))
    .option('--workflow <name>', 'only this workflow’s runs')
    .option('--limit <n>', 'at most this many (1-100)', '100')
    .action((options: { status?: 'running' | 'completed' | 'compensating' | 'compensated' | 'failed'; workflow?: string; limit: string }) =>
      withPlatform(async (platform) => {
        const page = await platform.operations.service.listWorkflowRuns({ status: options.status, workflow: options.workflow, limit: Number(options.limit) }, await operator());
        console.log(JSON.stringify(page.data, null, 2));
      }),
    );
  workflows
    .command('show')
    .description('Show a workflow run with each of its steps: status, attempts, output, errors, compensation (JSON)')
    .argument('<id>', 'the run (wfr_…)')
    .action((id: string) =>
      withPlatform(async (platform) => {
        console.log(JSON.stringify(await platform.operations.service.getWorkflowRun(id, await operator()), null, 2));
      }),
    );
}
