@echo off
rem 各 .cmd から呼ばれます: bansou と今の募集回のフォルダを探します。
set "BANSOU=%~dp0.venv\Scripts\bansou.exe"
if not exist "%BANSOU%" (
  echo まだ準備ができていません。先に setup.cmd をダブルクリックしてください。
  exit /b 1
)
if not exist "%~dp0current-round.txt" (
  echo 募集回のフォルダがありません。先に「次の募集回を始める.cmd」をダブルクリックしてください。
  exit /b 1
)
set /p ROUND=<"%~dp0current-round.txt"
set "ROUND_DIR=%~dp0rounds\%ROUND%"
echo 募集回のフォルダ: %ROUND_DIR%
exit /b 0
