import { Alert, Badge, Button, Card, Grid, Group, Stack, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';

import { useSaveVersion, useValidateWorkspace } from '@/features/strategies/api/mutations';
import { versionQueryOptions } from '@/features/strategies/api/queries';
import type { StrategyDetail, Workspace } from '@/features/strategies/api/strategies';
import {
  BlocklyWorkspace,
  type WorkspaceHandle,
} from '@/features/strategies/components/BlocklyWorkspace';
import { CompileErrorList } from '@/features/strategies/components/CompileErrorList';
import { RunControls } from '@/features/strategies/components/RunControls';
import { StrategyRuns } from '@/features/strategies/components/StrategyRuns';
import { VersionsPanel } from '@/features/strategies/components/VersionsPanel';
import type { Catalogue } from '@/features/strategies/utils/catalogue';
import {
  type CompileErrorItem,
  compileErrorsOf,
  refusalMessage,
} from '@/features/strategies/utils/compile-errors';

interface Shown {
  items: CompileErrorItem[];
  marked: ReadonlySet<string>;
}

/**
 * One strategy in the block editor: validate (compile without saving), save (a new version),
 * load an earlier version, run the version shown; its runs below. Mounted per strategy (keyed by
 * id), with its latest version loaded.
 */
export function StrategyEditor({
  strategy,
  catalogue,
}: {
  strategy: StrategyDetail;
  catalogue: Catalogue;
}) {
  const editor = useRef<WorkspaceHandle>(null);
  const queryClient = useQueryClient();
  const save = useSaveVersion(strategy.id);
  const validate = useValidateWorkspace();
  const initial = useRef(strategy.latest);
  /** The version on the workspace as it was loaded or saved (null: blank, never saved). */
  const [shown, setShown] = useState<number | null>(strategy.latest?.number ?? null);
  const [errors, setErrors] = useState<Shown | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [loadingVersion, setLoadingVersion] = useState(false);
  /** The workspace as last loaded or saved (JSON), to tell whether it has unsaved changes. */
  const baseline = useRef<string | null>(null);
  const [dirty, setDirty] = useState(false);
  const [selectedRun, setSelectedRun] = useState<number | null>(null);
  const latest = Math.max(strategy.latestVersion ?? 0, shown ?? 0);

  const put = useCallback((workspace: Workspace | null, number: number | null) => {
    try {
      editor.current?.load(workspace);
      baseline.current = JSON.stringify(editor.current?.save() ?? null);
      setDirty(false);
      setShown(number);
      setErrors(null);
    } catch (error) {
      setStatus({
        ok: false,
        text: `This version could not be put on the workspace: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }, []);

  const onReady = useCallback(() => {
    put(initial.current?.workspace ?? null, initial.current?.number ?? null);
  }, [put]);

  const passed = (text: string) => {
    editor.current?.clearMarks();
    setErrors(null);
    setStatus({ ok: true, text });
  };

  const refused = (error: unknown) => {
    const items = compileErrorsOf(error);
    if (items === null || editor.current === null) {
      setStatus({ ok: false, text: refusalMessage(error) });
      return;
    }
    const marks = editor.current.markErrors(items);
    setErrors({ items, marked: new Set(marks.byBlock.keys()) });
    setStatus(null);
  };

  const current = () => editor.current?.save() ?? null;

  const onChange = useCallback(() => {
    const now = editor.current?.save();
    if (now !== undefined && baseline.current !== null) {
      setDirty(JSON.stringify(now) !== baseline.current);
    }
  }, []);

  // Leaving the page with unsaved blocks asks first.
  useEffect(() => {
    if (!dirty) return;
    const ask = (event: BeforeUnloadEvent) => {
      event.preventDefault();
    };
    window.addEventListener('beforeunload', ask);
    return () => {
      window.removeEventListener('beforeunload', ask);
    };
  }, [dirty]);

  const loadVersion = (number: number) => {
    if (
      dirty &&
      !window.confirm(`Put version ${number} on the workspace? Unsaved changes are lost.`)
    ) {
      return;
    }
    setLoadingVersion(true);
    setStatus(null);
    queryClient
      .query(versionQueryOptions(strategy.id, number))
      .then((version) => {
        put(version.workspace, version.number);
      })
      .catch((error: unknown) => {
        setStatus({ ok: false, text: refusalMessage(error) });
      })
      .finally(() => {
        setLoadingVersion(false);
      });
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={3}>{strategy.name}</Title>
          <Badge variant="light" data-testid="shown-version">
            {shown === null
              ? 'not saved'
              : shown === latest
                ? `version ${shown} (latest)`
                : `version ${shown} of ${latest}`}
          </Badge>
          {dirty && (
            <Badge color="orange" variant="light" data-testid="unsaved">
              unsaved changes
            </Badge>
          )}
        </Group>
        <Group gap="xs">
          <Button
            variant="default"
            loading={validate.isPending}
            onClick={() => {
              const workspace = current();
              if (workspace === null) return;
              setStatus(null);
              validate.mutate(workspace, {
                onSuccess: () => {
                  passed('The strategy compiles.');
                },
                onError: refused,
              });
            }}
          >
            Validate
          </Button>
          <Button
            loading={save.isPending}
            onClick={() => {
              const workspace = current();
              if (workspace === null) return;
              setStatus(null);
              save.mutate(workspace, {
                onSuccess: (version) => {
                  baseline.current = JSON.stringify(workspace);
                  setDirty(JSON.stringify(current()) !== baseline.current);
                  setShown(version.number);
                  passed(`Saved as version ${version.number}.`);
                },
                onError: refused,
              });
            }}
          >
            Save version
          </Button>
        </Group>
      </Group>
      {shown !== null && shown !== latest && (
        <Alert color="yellow" data-testid="old-version-note">
          Version {shown} is on the workspace. Saved versions never change: saving makes version{' '}
          {latest + 1} from what is here.
        </Alert>
      )}
      {status && (
        <Alert color={status.ok ? 'teal' : 'red'} role="status">
          {status.text}
        </Alert>
      )}
      {errors && (
        <CompileErrorList
          errors={errors.items}
          isMarked={(id) => errors.marked.has(id)}
          onSelect={(id) => editor.current?.selectBlock(id)}
        />
      )}
      <Grid>
        <Grid.Col span={{ base: 12, xl: 9 }}>
          <Card withBorder p={0} h={620}>
            <BlocklyWorkspace
              ref={editor}
              catalogue={catalogue}
              onReady={onReady}
              onChange={onChange}
            />
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, xl: 3 }}>
          <Stack>
            <VersionsPanel
              strategyId={strategy.id}
              shown={shown}
              loading={loadingVersion}
              onLoad={loadVersion}
            />
            <RunControls
              strategyId={strategy.id}
              version={shown}
              dirty={dirty}
              timeframes={catalogue.timeframes}
              onStarted={setSelectedRun}
            />
          </Stack>
        </Grid.Col>
      </Grid>
      <StrategyRuns strategyId={strategy.id} selected={selectedRun} onSelect={setSelectedRun} />
    </Stack>
  );
}
