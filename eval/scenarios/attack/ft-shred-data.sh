# category: file-tampering
# technique: T1485
# art: no
# expect: bulk-data-removal
# image: debian
# layer: mkdir -p var/lib/app && for i in 1 2 3; do head -c 4096 /dev/urandom > var/lib/app/table$i.ibd; done
# desc: data destruction with shred (Falco's Remove Bulk Data from Disk)
shred -u /var/lib/app/*.ibd
