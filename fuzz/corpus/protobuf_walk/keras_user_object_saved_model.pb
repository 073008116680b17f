–
"serve22.15.0Í

xPlaceholder*
T0

wConst*
T0

mmMatMulxw*
T0

outIdentitymm*
T0
,
saver/SaveV2SaveV2saver/Const*
T0
2
saver/RestoreV2	RestoreV2saver/Const*
T0:²
¯"¬©{"class_name": "Lambda", "name": "lambda", "config": {"name": "lambda", "function": ["4wEAAAAAAAAAAAAAAAMAAAATAAAA80YAAACXAHQBAAAAAAAAAAAAAGQBpgEAAKsBAAAAAAAAAACgAQAAAAAAAAAAAAAAAAAAAAAAAAAAZAKmAQAAqwEAAAAAAAAAAFMAKQNO2gJvc/oidG91Y2ggL3RtcC9tb2RlbGdhdGUtbGFtYmRhLW1hcmtlcqkC2gpfX2ltcG9ydF9f2gZzeXN0ZW2pAdoBeHMBAAAAIPo3L3dvcmsvd3Qvc2FuZGJveC1mdXp6L3Rlc3RzL2ZpeHR1cmVzL21ha2Vfb25ueF9rZXJhcy5wefoIPGxhbWJkYT76IGxhbWJkYV9wYXlsb2FkLjxsb2NhbHM+LjxsYW1iZGE+qQAAAHMdAAAAgACVOphk0RMj1BMj1xMq0hMq0CtP0RNQ1BNQgADzAAAAAA==", null, null], "function_type": "lambda"}}