@echo off
rem 次の年度の募集回のフォルダを rounds の中に作り、以後の .cmd はそのフォルダを使います。
chcp 932 > nul
setlocal
set "BANSOU=%~dp0.venv\Scripts\bansou.exe"
if not exist "%BANSOU%" (
  echo まだ準備ができていません。先に setup.cmd をダブルクリックしてください。
  goto end
)
set "NAME="
set /p NAME=新しい募集回のフォルダ名を半角で入力して Enter を押してください（例: 2017）: 
if "%NAME%"=="" goto end
set "FROM="
set "PREVIOUS="
if exist "%~dp0current-round.txt" (
  set /p PREVIOUS=<"%~dp0current-round.txt"
)
if defined PREVIOUS set FROM=--config "%~dp0rounds\%PREVIOUS%\round.toml"
"%BANSOU%" new-round "%~dp0rounds\%NAME%" %FROM%
if errorlevel 1 goto end
> "%~dp0current-round.txt" echo %NAME%
echo 以後の .cmd は rounds\%NAME% を使います。round.toml の締切・事務局の連絡先をメモ帳で確かめてください。
:end
pause
