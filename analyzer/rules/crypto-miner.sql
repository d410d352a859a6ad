-- id: crypto-miner
-- severity: high
-- category: suspicious-network
-- technique: T1496
-- description: A cryptocurrency miner started: a stratum pool URL, a known miner name or miner-only options in its command line.
--
-- Catches xmrig and its renamed copies (kdevtmpfsi, kinsing), cpuminer, minerd and
-- xmr-stak by what they are told: `-o stratum+tcp://...`, `--donate-level`,
-- `--cpu-max-threads-hint`, `-a randomx|cryptonight`, `--coin monero`. Port lists
-- (suspicious-port) miss pools on 443; the command line does not. Host and containers.
SELECT x.ts, x.host_id, x.container_id, x.proc_id, x.pid, x.start, x.exec_id, NULL AS conn_id,
       'cryptominer ' || x.filename || ' (pid ' || x.pid || ') in ' || COALESCE(c.short_id, 'host') || ': ' ||
         COALESCE(x.cmdline, '') AS message,
       'e' || x.exec_id AS key
FROM rx_exec x
LEFT JOIN containers c ON c.container_id = x.container_id
WHERE x.kind IN ('exec', 'snapshot') AND x.ret = 0
  AND (x.cmdline GLOB '*stratum+tcp://*' OR x.cmdline GLOB '*stratum+ssl://*' OR x.cmdline GLOB '*stratum2+tcp://*'
       OR x.cmdline GLOB '*--donate-level*' OR x.cmdline GLOB '*--cpu-max-threads-hint*'
       OR x.cmdline GLOB '*-a randomx*' OR x.cmdline GLOB '*-a cryptonight*' OR x.cmdline GLOB '*--algo=rx/0*'
       OR x.cmdline GLOB '*--coin monero*' OR x.cmdline GLOB '*--coin=monero*'
       OR x.prog IN ('xmrig', 'xmr-stak', 'xmr-stak-cpu', 'minerd', 'cpuminer', 'cpuminer-multi', 'kdevtmpfsi',
                     'kinsing', 'ccminer', 'ethminer', 'nbminer', 't-rex', 'lolminer'));
