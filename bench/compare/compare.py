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

Three more measurements, each optional:
  - the delay baseline (unless --no-reflector): per scenario, the same load generator run as
    plain UDP through treff-ceiling --reflector (no signaling, ICE, DTLS or SRTP; every socket
    receives what it would from an SFU, see bench/loadgen/reflector_scenario.hpp). Each server's
    "added delay" p50/p99 is its one-way delay percentile minus the reflector's;
  - half a core (--half-core S1,S3): per server, the offered rate (loadgen --rate-scale, which
    multiplies every publisher's packet rate) is stepped up in short runs until the server uses
    0.5 CPU-seconds per second, the rate is interpolated between the last two steps, and a
    measurement run there (plus a reflector run at the same rate) gives loss and added p99;
  - memory per subscribed stream (--memory treff,janus): VmRSS at the end of the measured phase
    for one publisher and 50..200 subscribers (2 streams each), with a least-squares line.

Writes bench/results/compare.md, compare.csv (plus compare-halfcore.csv, compare-memory.csv),
compare.svg (gnuplot) and the raw JSON.
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


def current_rss_mib(pid):
    """VmRSS of a live process, in MiB."""
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


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
                     '--audio-loudest-n', '0',  # S4: every participant's audio is forwarded
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
                samples['rssStart'] = current_rss_mib(server.pid)
            elif line.startswith('[loadgen] leaving') and 'end' not in samples:
                samples['end'] = (time.monotonic(), cpu_seconds(server.pid),
                                  machine_busy_seconds())
                # Every stream is still up: the leave only starts after this line.
                samples['rssEnd'] = current_rss_mib(server.pid)

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
    return result, {'wallS': t1 - t0, 'serverCpuS': c1 - c0, 'machineCpuS': m1 - m0,
                    'rssStartMiB': samples.get('rssStart'), 'rssEndMiB': samples.get('rssEnd')}


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
    row['delayKind'] = 'video' if 'video' in kinds else 'audio'
    return row


def start_reflector(build, workdir, label):
    """treff-ceiling --reflector on a free UDP port; stopped by its PID like a server."""
    probe = os.path.join(build, 'treff-ceiling')
    if not os.path.exists(probe):
        raise RuntimeError('treff-ceiling not built')
    port = free_udp_port()
    server = Server([probe, '--reflector', str(port), '--bind', '127.0.0.1',
                     '--duration', '3600', '--quiet'], os.path.join(workdir, f'{label}.log'))
    time.sleep(0.3)  # bound long before the first packet matters: the ramp-up waits for flows
    if server.proc.poll() is not None:
        raise RuntimeError(f'the reflector exited at once (see {label}.log)')
    return server, ['--reflector', f'127.0.0.1:{port}']


def run_reflector(build, scenario_args, duration, threads, workdir, name, label=None):
    """The delay baseline: the same load generator flags, through a plain UDP reflector."""
    label = label or f'{name}-reflector'
    server = None
    try:
        server, target = start_reflector(build, workdir, label)
        result, window = run_load(build, server, target, scenario_args, duration, threads,
                                  workdir, label)
        row = summarize(name, 'reflector', result, window, peak_rss_mib(server.pid))
    except Exception as e:  # reported, not fatal
        row = {'scenario': name, 'server': 'reflector', 'ok': False, 'error': str(e)}
    finally:
        if server:
            server.stop()
    return row


def added(value, baseline):
    if value is None or baseline is None:
        return None
    return round(value - baseline, 3)


def add_added_delay(rows):
    """Each server row gets its delay percentiles minus its scenario's reflector percentiles."""
    baselines = {r['scenario']: r for r in rows if r['server'] == 'reflector' and r.get('ok')}
    for r in rows:
        base = baselines.get(r['scenario'])
        if r['server'] in ('reflector', 'ceiling') or not base or not r.get('ok'):
            continue
        if base.get('delayKind') != r.get('delayKind'):
            continue
        r['reflectorP50Ms'] = base.get('delayP50Ms')
        r['reflectorP99Ms'] = base.get('delayP99Ms')
        r['reflectorLossPercent'] = base.get('lossPercent')
        r['addedP50Ms'] = added(r.get('delayP50Ms'), base.get('delayP50Ms'))
        r['addedP99Ms'] = added(r.get('delayP99Ms'), base.get('delayP99Ms'))


def run_ceiling(build, ceiling_args, duration, workdir, name):
    probe = os.path.join(build, 'treff-ceiling')
    if not os.path.exists(probe):
        return {'scenario': name, 'server': 'ceiling', 'ok': False, 'error': 'treff-ceiling not built'}
    # Treff sends with sendmmsg and UDP GSO where a subscriber's datagrams line up: the probe
    # batches the same way.
    args = [probe, *ceiling_args, '--duration', str(duration), '--quiet', '--gso']
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


def run_server(opts, server_name, name, load_args, duration, workdir, label):
    """Starts a fresh server, runs the load generator against it, stops it. Returns a row."""
    server = None
    try:
        if server_name == 'treff':
            server, target = start_treff(opts.build, opts.workers, workdir)
        else:
            server, target = start_janus(workdir)
        result, window = run_load(opts.build, server, target, load_args, duration,
                                  opts.loadgen_threads, workdir, label)
        row = summarize(name, server_name, result, window, peak_rss_mib(server.pid))
        if window:
            row['rssStartMiB'] = window.get('rssStartMiB')
            row['rssEndMiB'] = window.get('rssEndMiB')
    except Exception as e:  # a failed server or scenario is reported, not fatal
        row = {'scenario': name, 'server': server_name, 'ok': False, 'error': str(e)}
    finally:
        if server:
            server.stop()
    log(label, json.dumps(row))
    return row


HALF_CORE = 0.5
# A reflector run losing more than this was itself overloaded: its delays are no baseline.
SATURATED_LOSS_PERCENT = 0.1


def half_core_search(opts, server_name, name, load_args, workdir):
    """Steps --rate-scale up in short runs until the server uses half a core, interpolates the
    rate between the last two steps, then measures there (with a reflector run at that rate).
    A server already past half a core at the first step is stepped down (halving) instead,
    to find a rate below; one that stays above has a fixed cost beyond half a core."""
    steps = []
    scale = opts.half_core_start
    outcome = {'scenario': name, 'server': server_name, 'steps': steps, 'found': False}
    for i in range(opts.half_core_steps):
        label = f'half-{name}-{server_name}-step{i}'
        row = run_server(opts, server_name, name, [*load_args, '--rate-scale', f'{scale:.4f}'],
                         opts.half_core_step_s, workdir, label)
        cores = row.get('serverCores')
        steps.append({'rateScale': round(scale, 4), 'serverCores': cores,
                      'forwardedPps': row.get('forwardedPps'), 'lossPercent': row.get('lossPercent'),
                      'ok': row.get('ok'), 'error': row.get('error', '')})
        if not row.get('ok') or cores is None:
            outcome['error'] = f'step at rate scale {scale:.3f} failed: {row.get("error", "")[:200]}'
            return outcome
        below = [st for st in steps if st['serverCores'] < HALF_CORE]
        above = [st for st in steps if st['serverCores'] >= HALF_CORE]
        if below and above:
            break
        if above:  # past half a core from the start: look lower
            if scale / 2 < 0.01:
                break
            scale /= 2
        else:
            # Aim a little past half a core, proportionally, but step by x1.25 .. x2 only.
            scale *= min(2.0, max(1.25, (HALF_CORE * 1.1) / max(cores, 1e-3)))
    below = [st for st in steps if st['serverCores'] < HALF_CORE]
    above = [st for st in steps if st['serverCores'] >= HALF_CORE]
    if not above:
        outcome['error'] = (f'half a core not reached in {len(steps)} steps: '
                            f'{steps[-1]["serverCores"]} cores at rate scale {steps[-1]["rateScale"]}')
        return outcome
    if not below:
        low = min(above, key=lambda st: st['rateScale'])
        outcome['error'] = (f'past half a core even at the lowest rate tried: '
                            f'{low["serverCores"]} cores at rate scale {low["rateScale"]} '
                            '(a fixed cost of the connections)')
        return outcome
    a = max(below, key=lambda st: st['rateScale'])
    higher = [st for st in above if st['rateScale'] > a['rateScale']]
    b = min(higher, key=lambda st: st['rateScale']) if higher else min(
        above, key=lambda st: st['rateScale'])
    span = b['serverCores'] - a['serverCores']
    found = a['rateScale'] + (HALF_CORE - a['serverCores']) * (b['rateScale'] - a['rateScale']) / span \
        if span > 0 and b['rateScale'] > a['rateScale'] else b['rateScale']
    found = round(found, 4)
    outcome['found'] = True
    outcome['rateScale'] = found
    args = [*load_args, '--rate-scale', f'{found:.4f}']
    measured = run_server(opts, server_name, name, args, opts.half_core_duration, workdir,
                          f'half-{name}-{server_name}-measure')
    outcome['measure'] = measured
    if opts.reflector:
        base = run_reflector(opts.build, args, opts.half_core_duration, opts.loadgen_threads,
                             workdir, name, f'half-{name}-{server_name}-reflector')
        outcome['reflector'] = base
        add_added_delay([measured, base])
    log(f'half-core {name} {server_name}', json.dumps({k: v for k, v in outcome.items()
                                                       if k != 'measure'}))
    return outcome


def least_squares(xs, ys):
    """Slope, intercept and R^2 of the line through (xs, ys)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    slope = sxy / sxx if sxx else 0.0
    intercept = my - slope * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys))
    r2 = 1 - ss_res / ss_tot if ss_tot else None
    return slope, intercept, r2


def memory_series(opts, server_name, workdir):
    """VmRSS at the end of the measured phase of a lecture (1 publisher, audio + video) with
    each subscriber count, a fresh server each time; a line fitted over subscribed streams."""
    points = []
    for subs in opts.memory_subscribers:
        args = ['--rooms', '1', '--participants', str(subs + 1), '--publishers', '1']
        row = run_server(opts, server_name, f'mem{subs}', args, opts.memory_duration, workdir,
                         f'memory-{server_name}-{subs}')
        points.append({'subscribers': subs, 'streams': 2 * subs, 'rssMiB': row.get('rssEndMiB'),
                       'rssAtStartMiB': row.get('rssStartMiB'), 'peakRssMiB': row.get('peakRssMiB'),
                       'lossPercent': row.get('lossPercent'), 'ok': row.get('ok'),
                       'error': row.get('error', '')})
    good = [p for p in points if p['ok'] and p['rssMiB'] is not None]
    out = {'server': server_name, 'points': points}
    if len(good) >= 2:
        slope, intercept, r2 = least_squares([p['streams'] for p in good],
                                             [p['rssMiB'] for p in good])
        out.update({'mibPerStream': round(slope, 4), 'kibPerStream': round(slope * 1024, 1),
                    'interceptMiB': round(intercept, 1),
                    'r2': None if r2 is None else round(r2, 4), 'fittedPoints': len(good)})
    log(f'memory {server_name}', json.dumps(out))
    return out


def fmt(v):
    return '' if v is None else str(v)


def half_core_section(half, outdir):
    if not half:
        return []
    lines = ['', '## Half a core of load', '',
             'Per server, the offered rate (loadgen --rate-scale: every publisher\'s packet rate '
             'times this) is stepped up in short runs until the server process uses 0.5 CPU-s/s; '
             'the rate is interpolated between the last two steps and measured there. Targets '
             '(reported, not asserted): loss < 0.1 %, added p99 < 1 ms.', '',
             '| scenario | server | steps: rate scale -> cores | half-core rate scale '
             '| forwarded pkt/s | server cores | loss % | delay p99 ms | reflector p99 ms '
             '| added p99 ms | targets |',
             '|---|---|---|---|---|---|---|---|---|---|---|']
    csv_rows = []
    for h in half:
        steps = ', '.join(f"{st['rateScale']}->{fmt(st['serverCores'])}" for st in h['steps'])
        m = h.get('measure') or {}
        loss, added99 = m.get('lossPercent'), m.get('addedP99Ms')
        if not h.get('found'):
            targets = f"not found: {h.get('error', '')[:100]}"
        elif not m.get('ok'):
            targets = f"measurement failed: {m.get('error', '')[:100]}"
        elif loss is None or added99 is None:
            targets = 'no reflector baseline' if added99 is None else ''
        else:
            targets = ('met' if loss < 0.1 and added99 < 1.0 else
                       'missed: ' + ', '.join(x for x, bad in (('loss', loss >= 0.1),
                                                               ('added p99', added99 >= 1.0))
                                               if bad))
        if (m.get('reflectorLossPercent') or 0) > SATURATED_LOSS_PERCENT:
            targets += ' (baseline saturated)'
        lines.append(f"| {h['scenario']} | {h['server']} | {steps} | {fmt(h.get('rateScale'))} | "
                     f"{fmt(m.get('forwardedPps'))} | {fmt(m.get('serverCores'))} | {fmt(loss)} | "
                     f"{fmt(m.get('delayP99Ms'))} | {fmt(m.get('reflectorP99Ms'))} | "
                     f"{fmt(added99)} | {targets} |")
        csv_rows.append({'scenario': h['scenario'], 'server': h['server'], 'steps': steps,
                         'halfCoreRateScale': h.get('rateScale'),
                         'forwardedPps': m.get('forwardedPps'), 'serverCores': m.get('serverCores'),
                         'lossPercent': loss, 'delayP50Ms': m.get('delayP50Ms'),
                         'delayP99Ms': m.get('delayP99Ms'), 'reflectorP99Ms': m.get('reflectorP99Ms'),
                         'addedP50Ms': m.get('addedP50Ms'), 'addedP99Ms': added99,
                         'targets': targets})
    with open(os.path.join(outdir, 'compare-halfcore.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(csv_rows[0].keys()))
        w.writeheader()
        w.writerows(csv_rows)
    return lines


def memory_section(memory, outdir):
    if not memory:
        return []
    lines = ['', '## Memory per subscribed stream', '',
             'VmRSS of the server at the end of the measured phase (all streams up) for one '
             'publisher (audio + video) and N subscribers: 2N subscribed streams; a fresh server '
             'for each N. Least-squares line over the streams.', '',
             '| server | subscribers: VmRSS MiB | MiB per stream | KiB per stream '
             '| intercept MiB | R^2 |', '|---|---|---|---|---|---|']
    csv_rows = []
    for m in memory:
        pts = ', '.join(f"{p['subscribers']}: {fmt(None if p['rssMiB'] is None else round(p['rssMiB'], 1))}"
                        + ('' if p['ok'] else ' (failed)') for p in m['points'])
        lines.append(f"| {m['server']} | {pts} | {fmt(m.get('mibPerStream'))} | "
                     f"{fmt(m.get('kibPerStream'))} | {fmt(m.get('interceptMiB'))} | "
                     f"{fmt(m.get('r2'))} |")
        for p in m['points']:
            csv_rows.append({'server': m['server'], 'subscribers': p['subscribers'],
                             'streams': p['streams'], 'rssMiB': p['rssMiB'],
                             'lossPercent': p['lossPercent'], 'ok': p['ok'],
                             'mibPerStream': m.get('mibPerStream'),
                             'interceptMiB': m.get('interceptMiB'), 'r2': m.get('r2'),
                             'error': p['error']})
    if csv_rows:
        with open(os.path.join(outdir, 'compare-memory.csv'), 'w', newline='') as f:
            w = csv.DictWriter(f, fieldnames=list(csv_rows[0].keys()))
            w.writeheader()
            w.writerows(csv_rows)
    return lines


def ratio(a, b):
    return round(a / b, 2) if a and b else None


def write_results(rows, half, memory, outdir, duration):
    os.makedirs(outdir, exist_ok=True)
    fields = ['scenario', 'server', 'ok', 'forwardedPps', 'serverCores', 'machineCores',
              'ppsPerCpuS', 'lossPercent', 'delayP50Ms', 'delayP99Ms', 'audioP99Ms', 'peakRssMiB',
              'loadgenCpuS', 'delayKind', 'reflectorP50Ms', 'reflectorP99Ms',
              'reflectorLossPercent', 'addedP50Ms', 'addedP99Ms', 'error']
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
             '| loss % | delay p50/p99 ms | added delay p50/p99 ms | peak RSS MiB | Treff/Janus '
             '| Treff/ceiling |',
             '|---|---|---|---|---|---|---|---|---|---|---|---|']
    for name, desc, _, _ in ran:
        treff = by.get((name, 'treff'), {})
        janus = by.get((name, 'janus'), {})
        ceiling = by.get((name, 'ceiling'), {})
        for server in ('treff', 'janus', 'ceiling', 'reflector'):
            r = by.get((name, server))
            if not r:
                continue
            cell = lambda k: '' if r.get(k) is None else str(r.get(k))
            delay = '' if r.get('delayP50Ms') is None else f"{r['delayP50Ms']}/{r['delayP99Ms']}"
            extra = '' if r.get('addedP50Ms') is None else f"{r['addedP50Ms']}/{r['addedP99Ms']}"
            if extra and (r.get('reflectorLossPercent') or 0) > SATURATED_LOSS_PERCENT:
                extra += ' (baseline saturated)'
            vs_janus = ratio(treff.get('ppsPerCpuS'), janus.get('ppsPerCpuS')) if server == 'treff' else None
            vs_ceiling = ratio(treff.get('ppsPerCpuS'), ceiling.get('ppsPerCpuS')) if server == 'treff' else None
            status = '' if r.get('ok') else f" (failed: {r.get('error', '')[:80]})"
            lines.append(f"| {name}: {desc} | {server}{status} | {cell('forwardedPps')} | "
                         f"{cell('serverCores')} | {cell('machineCores')} | {cell('ppsPerCpuS')} | "
                         f"{cell('lossPercent')} | {delay} | {extra} | {cell('peakRssMiB')} | "
                         f"{'' if vs_janus is None else vs_janus} | "
                         f"{'' if vs_ceiling is None else vs_ceiling} |")
    if any(r['server'] == 'reflector' for r in rows):
        lines += ['', 'Delay is the video one-way delay (audio in S4), loadgen send to loadgen '
                  'receive. The reflector rows are the same load generator flags as plain UDP '
                  'through treff-ceiling --reflector (no signaling, ICE, DTLS or SRTP; each socket '
                  'receives the packets, sizes and rate it would receive from an SFU); a server\'s '
                  'added delay is its percentile minus the reflector\'s. For the reflector, '
                  '"server cores" is the reflector process. "Baseline saturated": the reflector '
                  f'run itself lost more than {SATURATED_LOSS_PERCENT} % (reflector plus load '
                  'generator beyond the machine), so its delays are no baseline there.']
    lines += half_core_section(half, outdir)
    lines += memory_section(memory, outdir)
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


def names(text):
    return [x for x in text.split(',') if x and x != 'none']


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build/release'))
    ap.add_argument('--duration', type=float, default=20)
    ap.add_argument('--scenarios', default='S1,S2,S3,S4', help="'none' skips the main table")
    ap.add_argument('--servers', default='treff,janus,ceiling')
    ap.add_argument('--workers', type=int, default=os.cpu_count(),
                    help="Treff's media workers (Janus gets as many event loops)")
    ap.add_argument('--loadgen-threads', type=int, default=2)
    ap.add_argument('--no-reflector', dest='reflector', action='store_false',
                    help='no reflector delay baseline (and so no added delay)')
    ap.add_argument('--half-core', default='S1,S3',
                    help="scenarios for the half-a-core search ('none' skips it)")
    ap.add_argument('--half-core-servers', default='treff,janus')
    ap.add_argument('--half-core-start', type=float, default=0.2,
                    help='first rate scale of the search')
    ap.add_argument('--half-core-steps', type=int, default=6, help='at most this many steps')
    ap.add_argument('--half-core-step-s', type=float, default=6,
                    help='measured seconds of each step')
    ap.add_argument('--half-core-duration', type=float, default=12,
                    help='measured seconds at the rate found')
    ap.add_argument('--memory', default='treff,janus',
                    help="servers for the memory-per-stream series ('none' skips it)")
    ap.add_argument('--memory-subscribers', default='50,100,150,200')
    ap.add_argument('--memory-duration', type=float, default=3)
    ap.add_argument('--out', default=os.path.join(ROOT, 'bench/results'))
    opts = ap.parse_args()
    opts.memory_subscribers = [int(x) for x in names(opts.memory_subscribers)]
    wanted = set(names(opts.scenarios))
    servers = names(opts.servers)
    workdir = tempfile.mkdtemp(prefix='treff-compare-')
    began = time.monotonic()
    rows = []
    for name, desc, load_args, ceiling_args in SCENARIOS:
        if name not in wanted:
            continue
        if opts.reflector:
            rows.append(run_reflector(opts.build, load_args, opts.duration, opts.loadgen_threads,
                                      workdir, name))
            log(f'{name}-reflector', json.dumps(rows[-1]))
        for server_name in servers:
            label = f'{name}-{server_name}'
            if server_name == 'ceiling':
                rows.append(run_ceiling(opts.build, ceiling_args, opts.duration, workdir, name))
                log(label, json.dumps(rows[-1]))
                continue
            rows.append(run_server(opts, server_name, name, load_args, opts.duration, workdir,
                                   label))
    add_added_delay(rows)
    half = []
    scenario_args = {s[0]: s[2] for s in SCENARIOS}
    for name in names(opts.half_core):
        for server_name in names(opts.half_core_servers):
            half.append(half_core_search(opts, server_name, name, scenario_args[name], workdir))
    memory = [memory_series(opts, server_name, workdir) for server_name in names(opts.memory)]
    everything = {'rows': rows, 'halfCore': half, 'memory': memory,
                  'elapsedS': round(time.monotonic() - began)}
    with open(os.path.join(workdir, 'results.json'), 'w') as f:
        json.dump(everything, f, indent=1)
    table = write_results(rows, half, memory, opts.out, opts.duration)
    shutil.copy(os.path.join(workdir, 'results.json'), os.path.join(opts.out, 'compare.json'))
    print(table)
    log(f'raw outputs in {workdir}; results in {opts.out}; {everything["elapsedS"]} s in all')


if __name__ == '__main__':
    main()
