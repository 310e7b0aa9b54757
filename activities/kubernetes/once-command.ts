/**
 * How a once-only command runs in its pod: under a small shell that keeps the command's outcome in
 * the pod, in `/tmp/styrmin-once/<run key>/<n>/`. The command runs apart from the exec session, so
 * when the worker dies mid-command it goes on; the activity's next attempt runs the same shell,
 * which then waits for the running command, or returns the outcome it left, instead of starting
 * it a second time. A failed or interrupted command is reported once and its run's outcomes are
 * removed, so that a deliberate retry runs the list again. The shell needs `/bin/sh` and a
 * writable `/tmp` in the container.
 */

/** Where outcomes are kept in the container. */
export const onceOutcomeRoot = '/tmp/styrmin-once';

/** Exit code of the shell when an earlier start of the command ended without an exit status. */
export const interruptedExitCode = 125;

const script = `
dir=$1; shift
if mkdir -p "\${dir%/*}" 2>/dev/null && mkdir "$dir" 2>/dev/null; then
  (
    trap '' HUP
    "$@" </dev/null >"$dir/stdout" 2>"$dir/stderr"
    echo $? >"$dir/exit.tmp" && mv "$dir/exit.tmp" "$dir/exit"
  ) >/dev/null 2>&1 &
  echo $! >"$dir/pid"
elif [ ! -d "$dir" ]; then
  echo "styrmin: cannot keep the outcome of a once-only command in $dir: the container needs a writable /tmp" >&2
  exit 126
fi
tries=0
while [ ! -e "$dir/exit" ]; do
  pid=$(cat "$dir/pid" 2>/dev/null)
  if { [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; } || { [ -z "$pid" ] && [ "$tries" -ge 50 ]; }; then
    [ -e "$dir/exit" ] && break
    echo "styrmin: an earlier attempt started this command in this pod, and it ended without an exit status (killed?); not running it again" >&2
    rm -rf "\${dir%/*}"
    exit ${interruptedExitCode}
  fi
  tries=$((tries + 1))
  sleep 0.2 2>/dev/null || sleep 1
done
code=$(cat "$dir/exit")
cat "$dir/stdout"
cat "$dir/stderr" >&2
# A failure is reported once; then the run's outcomes go, so a deliberate retry runs the list again.
[ "$code" -eq 0 ] || rm -rf "\${dir%/*}"
exit "$code"
`;

/** The argv that runs `command` once-only, keeping its outcome under `<root>/<runKey>/<index>`. */
export function onceOnlyCommand(runKey: string, index: number, command: string[]): string[] {
  return ['/bin/sh', '-c', script, 'styrmin-once', `${onceOutcomeRoot}/${runKey}/${index}`, ...command];
}
