# category: benign
# technique: image build step compiling and installing a program (RUN make && make install)
# image: debian
# mode: entrypoint
# desc: a build step compiles a C program with tcc, runs its test and installs it into /usr/local/bin
mkdir -p /src && cd /src
printf '#include <stdio.h>\nint main(void){puts("ok");return 0;}\n' > main.c
tcc -o /src/app main.c
./app
install -m 755 /src/app /usr/local/bin/app
