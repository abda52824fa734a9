// A 2D mesh (triangles only), to test the "no tetrahedra" error.
SetFactory("OpenCASCADE");
Rectangle(1) = {0, 0, 0, 1, 1};
Physical Surface("square") = {1};
Mesh.CharacteristicLengthMax = 0.5;
