#!/bin/bash
exec /opt/kafka/bin/kafka-class org.apache.kafka.tools.GetOffsetShell "$@"
