#!/usr/bin/env python3
"""Runs the load scenarios against Treff and Janus, and the ceiling probe, in one run.

Runs inside a private network namespace (bench/compare/run sets it up): loopback, plus a veth
pair whose address Janus announces (Janus needs a non-loopback interface). Each server is
started fresh for each scenario and stopped by its PID afterwards. For each (server, scenario)
it records, over the load generator's measured phase only:
  - the server's CPU seconds (utime + stime from /proc/PID/stat) and the machine's (from
    /proc/stat: on loopback part of the work is charged to softirq);
  - forwarded packets: what the subscribers received, and per server CPU-second;
  - loss and one-way delay p50/p99 (from the load generator), and the server's peak RSS.
The load generator's own CPU is never counted as the server's.

Writes bench/results/compare.md, compare.csv, compare.svg (gnuplot) and the raw JSON.
"""
import argparse
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLOCK_TICKS = os.sysconf('SC_CLK_TCK')
JANUS_IFACE = 'tcmp0'
JANUS_IP = '10.78.0.1'

# name, description, load generator flags, ceiling probe flags
SCENARIOS = [
    ('S1', '10 rooms x 6, all publish and subscribe',
     ['--rooms', '10', '--participants', '6'], ['--rooms', '10', '--participants', '6']),
    ('S2', '1 room x 20',
     ['--rooms', '1', '--participants', '20'], ['--rooms', '1', '--participants', '20']),
    ('S3', '1 publisher -> 200 subscribers',
     ['--rooms', '1', '--participants', '201', '--publishers', '1'],
     ['--publishers', '1', '--subscribers', '200']),
    ('S4', 'audio only, 1 room x 50',
     ['--rooms', '1', '--participants', '50', '--audio-only'],
     ['--rooms', '1', '--participants', '50', '--audio-only']),
    # Not in the default set: a quick check that the whole setup works.
    ('smoke', '2 rooms x 3',
     ['--rooms', '2', '--participants', '3'], ['--rooms', '2', '--participants', '3']),
]


def log(*args):
    print('[compare]', *args, file=sys.stderr, flush=True)


def cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy_seconds():
    """CPU seconds the whole machine spent busy (all but idle and iowait), summed over cores."""
    with open('/proc/stat') as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / CLOCK_TICKS


def peak_rss_mib(pid):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    return None


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_http(url, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f'{url} did not answer within {seconds} s')


class Server:
    """A server process started for one scenario and stopped by its PID."""

    def __init__(self, args, log_path):
        self.log = open(log_path, 'w')
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def start_treff(build, workers, workdir):
    port = free_port()
    server = Server([os.path.join(build, 'treff'), '--listen-ip', '127.0.0.1',
                     '--http-port', str(port), '--media-port', '20200',
                     '--workers', str(workers), '--max-participants', '1000',
                     '--log-level', 'warn'],
                    os.path.join(workdir, 'treff.log'))
    wait_http(f'http://127.0.0.1:{port}/healthz', 15)
    return server, ['--url', f'http://127.0.0.1:{port}/']


def start_janus(workdir):
    confdir = os.path.join(workdir, 'janus')
    port = free_port()
    subprocess.run([os.path.join(ROOT, 'bench/compare/janus-config.sh'), confdir, JANUS_IFACE,
                    str(port)], check=True)
    server = Server(['janus', '-F', confdir, '-C', os.path.join(confdir, 'janus.jcfg')],
                    os.path.join(workdir, 'janus.log'))
    wait_http(f'http://127.0.0.1:{port}/janus/info', 20)
    return server, ['--janus', f'http://127.0.0.1:{port}/janus']


def run_load(build, server, target_args, scenario_args, duration, threads, workdir, label):
    """Runs the load generator; samples the server over its measured phase."""
    args = [os.path.join(build, 'treff-loadgen'), *target_args, *scenario_args,
            '--duration', str(duration), '--threads', str(threads)]
    log(label, ' '.join(args[1:]))
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples = {}
    stderr_tail = []

    def watch():
        for line in proc.stderr:
            stderr_tail.append(line.rstrip())
            del stderr_tail[:-20]
            if 'measuring' in line and 'start' not in samples:
                samples['start'] = (time.monotonic(), cpu_seconds(server.pid),
                                    machine_busy_seconds())
            elif line.startswith('[loadgen] leaving') and 'end' not in samples:
                samples['end'] = (time.monotonic(), cpu_seconds(server.pid),
                                  machine_busy_seconds())

    # stderr belongs to the watcher alone; stdout (the JSON) is read here, bounded by a timer.
    watcher = threading.Thread(target=watch)
    watcher.start()
    killer = threading.Timer(duration + 300, proc.kill)
    killer.start()
    out = proc.stdout.read()
    proc.wait()
    killer.cancel()
    watcher.join()
    with open(os.path.join(workdir, f'{label}.json'), 'w') as f:
        f.write(out)
    try:
        result = json.loads(out)
    except json.JSONDecodeError:
        result = {'setupOk': False, 'error': 'no JSON: ' + ' | '.join(stderr_tail[-5:])}
    if 'start' not in samples or 'end' not in samples:
        result.setdefault('error', 'the measured phase was not seen: ' + ' | '.join(stderr_tail[-5:]))
        return result, None
    (t0, c0, m0), (t1, c1, m1) = samples['start'], samples['end']
    return result, {'wallS': t1 - t0, 'serverCpuS': c1 - c0, 'machineCpuS': m1 - m0}


def summarize(name, server_name, result, window, rss):
    row = {'scenario': name, 'server': server_name}
    totals = result.get('totals') or {}
    kinds = [k for k in ('audio', 'video') if totals.get(k)]
    received = sum(totals[k]['received'] for k in kinds)
    expected = sum(totals[k]['expected'] for k in kinds)
    measured = result.get('measuredS') or 0
    row['ok'] = bool(result.get('setupOk')) and window is not None and received > 0
    row['error'] = result.get('error', '')
    row['forwardedPps'] = round(received / measured) if measured else 0
    row['lossPercent'] = round(100 * (expected - received) / expected, 3) if expected else None
    delays = ((totals.get('video' if 'video' in kinds else 'audio') or {}).get('delayMs')) or {}
    row['delayP50Ms'] = delays.get('p50')
    row['delayP99Ms'] = delays.get('p99')
    row['audioP99Ms'] = (((totals.get('audio') or {}).get('delayMs')) or {}).get('p99')
    if window and window['serverCpuS'] > 0:
        cores = window['serverCpuS'] / window['wallS']
        row['serverCores'] = round(cores, 3)
        row['machineCores'] = round(window['machineCpuS'] / window['wallS'], 3)
        row['ppsPerCpuS'] = round(row['forwardedPps'] / cores)
    else:
        row['serverCores'] = row['machineCores'] = row['ppsPerCpuS'] = None
    row['peakRssMiB'] = round(rss, 1) if rss else None
    row['loadgenCpuS'] = result.get('loadgenCpuS')
    return row


def run_ceiling(build, ceiling_args, duration, workdir, name):
    probe = os.path.join(build, 'treff-ceiling')
    if not os.path.exists(probe):
        return {'scenario': name, 'server': 'ceiling', 'ok': False, 'error': 'treff-ceiling not built'}
    # Treff sends with sendmmsg and no GSO: the probe batches the same way.
    args = [probe, *ceiling_args, '--duration', str(duration), '--quiet']
    log('ceiling', ' '.join(args[1:]))
    proc = subprocess.run(args, capture_output=True, text=True, timeout=duration + 120)
    with open(os.path.join(workdir, f'{name}-ceiling.json'), 'w') as f:
        f.write(proc.stdout)
    try:
        r = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {'scenario': name, 'server': 'ceiling', 'ok': False,
                'error': 'no JSON: ' + proc.stderr[-300:]}
    window, totals = r.get('window', {}), r.get('totals', {})
    expected = totals.get('expected_at_sinks') or 0
    seconds = window.get('seconds') or 0
    return {'scenario': name, 'server': 'ceiling', 'ok': bool(totals.get('kept_up')), 'error': '',
            'forwardedPps': round(window.get('forwarded_per_s', 0)),
            'ppsPerCpuS': round(window.get('forwarded_per_cpu_s', 0)),
            'lossPercent': round(100 * totals.get('loss', 0) / expected, 3) if expected else None,
            'serverCores': round(window.get('forwarder_cpu_share', 0), 3),
            'machineCores': round(window.get('machine_busy_cpu_s', 0) / seconds, 3) if seconds else None}


def ratio(a, b):
    return round(a / b, 2) if a and b else None


def write_results(rows, outdir, duration):
    os.makedirs(outdir, exist_ok=True)
    fields = ['scenario', 'server', 'ok', 'forwardedPps', 'serverCores', 'machineCores',
              'ppsPerCpuS', 'lossPercent', 'delayP50Ms', 'delayP99Ms', 'audioP99Ms', 'peakRssMiB',
              'loadgenCpuS', 'error']
    with open(os.path.join(outdir, 'compare.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction='ignore')
        w.writeheader()
        for r in rows:
            w.writerow(r)
    by = {(r['scenario'], r['server']): r for r in rows}
    ran = [s for s in SCENARIOS if any(r['scenario'] == s[0] for r in rows)]
    commit = subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'],
                            capture_output=True, text=True).stdout.strip() or 'unknown'
    lines = [f'Forwarded packets per server CPU-second; {duration} s measured per scenario. '
             f'Run {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())} on {os.cpu_count()} cores '
             f'at commit {commit}; Treff with {os.cpu_count()} media workers, Janus with as many '
             'event loops; the load generator runs on the same machine.', '',
             '| scenario | server | forwarded pkt/s | server cores | machine cores | pkt per CPU-s '
             '| loss % | delay p50/p99 ms | peak RSS MiB | Treff/Janus | Treff/ceiling |',
             '|---|---|---|---|---|---|---|---|---|---|---|']
    for name, desc, _, _ in ran:
        treff = by.get((name, 'treff'), {})
        janus = by.get((name, 'janus'), {})
        ceiling = by.get((name, 'ceiling'), {})
        for server in ('treff', 'janus', 'ceiling'):
            r = by.get((name, server))
            if not r:
                continue
            cell = lambda k: '' if r.get(k) is None else str(r.get(k))
            delay = '' if r.get('delayP50Ms') is None else f"{r['delayP50Ms']}/{r['delayP99Ms']}"
            vs_janus = ratio(treff.get('ppsPerCpuS'), janus.get('ppsPerCpuS')) if server == 'treff' else None
            vs_ceiling = ratio(treff.get('ppsPerCpuS'), ceiling.get('ppsPerCpuS')) if server == 'treff' else None
            status = '' if r.get('ok') else f" (failed: {r.get('error', '')[:80]})"
            lines.append(f"| {name}: {desc} | {server}{status} | {cell('forwardedPps')} | "
                         f"{cell('serverCores')} | {cell('machineCores')} | {cell('ppsPerCpuS')} | "
                         f"{cell('lossPercent')} | {delay} | {cell('peakRssMiB')} | "
                         f"{'' if vs_janus is None else vs_janus} | "
                         f"{'' if vs_ceiling is None else vs_ceiling} |")
    with open(os.path.join(outdir, 'compare.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    # The plot: packets per CPU-second by scenario and server.
    data = os.path.join(outdir, 'compare.dat')
    with open(data, 'w') as f:
        f.write('scenario treff janus ceiling\n')
        for name, _, _, _ in ran:
            vals = [by.get((name, s), {}).get('ppsPerCpuS') or 0 for s in ('treff', 'janus', 'ceiling')]
            f.write(f'{name} ' + ' '.join(str(v) for v in vals) + '\n')
    if shutil.which('gnuplot'):
        script = f"""
set terminal svg size 800,450 dynamic
set output '{os.path.join(outdir, 'compare.svg')}'
set title 'Forwarded packets per server CPU-second (higher is better)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top left
set ylabel 'packets / CPU-second'
set yrange [0:*]
plot '{data}' using 2:xtic(1) title 'Treff', '' using 3 title 'Janus', '' using 4 title 'ceiling probe'
"""
        subprocess.run(['gnuplot'], input=script, text=True, check=True)
    return '\n'.join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build/release'))
    ap.add_argument('--duration', type=float, default=20)
    ap.add_argument('--scenarios', default='S1,S2,S3,S4')
    ap.add_argument('--servers', default='treff,janus,ceiling')
    ap.add_argument('--workers', type=int, default=os.cpu_count(),
                    help="Treff's media workers (Janus gets as many event loops)")
    ap.add_argument('--loadgen-threads', type=int, default=2)
    ap.add_argument('--out', default=os.path.join(ROOT, 'bench/results'))
    opts = ap.parse_args()
    wanted = set(opts.scenarios.split(','))
    servers = opts.servers.split(',')
    workdir = tempfile.mkdtemp(prefix='treff-compare-')
    rows = []
    for name, desc, load_args, ceiling_args in SCENARIOS:
        if name not in wanted:
            continue
        for server_name in servers:
            label = f'{name}-{server_name}'
            if server_name == 'ceiling':
                rows.append(run_ceiling(opts.build, ceiling_args, opts.duration, workdir, name))
                continue
            server = None
            try:
                if server_name == 'treff':
                    server, target = start_treff(opts.build, opts.workers, workdir)
                else:
                    server, target = start_janus(workdir)
                result, window = run_load(opts.build, server, target, load_args, opts.duration,
                                          opts.loadgen_threads, workdir, label)
                rss = peak_rss_mib(server.pid)
                rows.append(summarize(name, server_name, result, window, rss))
            except Exception as e:  # a failed server or scenario is reported, not fatal
                rows.append({'scenario': name, 'server': server_name, 'ok': False, 'error': str(e)})
            finally:
                if server:
                    server.stop()
            log(label, json.dumps(rows[-1]))
    with open(os.path.join(workdir, 'rows.json'), 'w') as f:
        json.dump(rows, f, indent=1)
    table = write_results(rows, opts.out, opts.duration)
    shutil.copy(os.path.join(workdir, 'rows.json'), os.path.join(opts.out, 'compare.json'))
    print(table)
    log(f'raw outputs in {workdir}; results in {opts.out}')


if __name__ == '__main__':
    main()
