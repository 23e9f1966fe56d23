"""Everything that talks to Kafka below the agents: admin helpers (topics, producer settings),
the consumer-lag monitor, the exactly-once plumbing (transactional sinks, the commit gate) and
the guarded patches of faust-streaming's internals that exactly-once needs."""
