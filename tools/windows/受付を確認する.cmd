@echo off
rem inbox に届いたファイルの不備を表示します（ファイルは変更しません）。
chcp 932 > nul
setlocal
call "%~dp0common.cmd" || goto end
"%BANSOU%" check --round "%ROUND_DIR%"
if errorlevel 3 echo 不備のあるファイルがあります。上の一覧のセルを申請者に伝えてください。
:end
pause
