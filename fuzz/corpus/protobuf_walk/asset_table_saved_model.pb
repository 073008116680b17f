—
"serve22.15.0ƒ
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
T0
4
initInitializeTableFromTextFileV2tf*
T0