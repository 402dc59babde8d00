import type { ChildProcess } from 'node:child_process';

/** The URL a child process prints as `listening on http://…`, or its exit as an error. */
export const listeningUrl = (child: ChildProcess, name = 'process') =>
  new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
