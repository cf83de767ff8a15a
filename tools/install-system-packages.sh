#!/usr/bin/env bash
# System packages complaintd's tests, demo and fax OCR need, installed only when missing.
#   dovecot-imapd  - the real IMAP server the tests and the demo run on loopback
#   postgresql     - initdb and postgres for the throwaway cluster the PostgreSQL tests start
#   tesseract-ocr  - OCR of faxed complaints (chi_sim + eng)
#   fonts-wqy-microhei - a CJK font (1.6 MB) for the Chinese labels of the report charts
set -euo pipefail
need=()
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null 2>&1 ||
  need+=(postgresql)
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-packages: need root to install: ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d may refuse to start the system Dovecot or PostgreSQL; that is fine: the tests
# start servers of their own and never use the system services.
apt-get install -y -qq --no-install-recommends "${need[@]}" || apt-get install -y -qq "${need[@]}"
